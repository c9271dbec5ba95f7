package dev.quiver.server.auth;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.auth2.BasicCallHeaderAuthenticator;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;
import org.apache.arrow.flight.auth2.GeneratedBearerTokenAuthenticator;

/**
 * Authenticates every call: a peer node by the cluster secret it sends as its bearer token
 * (identity {@link #PEER}); a user by a JWT an OIDC issuer signed ({@link JwtVerifier}), or by name
 * and password once (HTTP Basic, checked against {@link Users}), then by the bearer token the node
 * answered with, which Arrow Flight's {@link GeneratedBearerTokenAuthenticator} issues and
 * remembers.
 */
public final class NodeAuthenticator implements CallHeaderAuthenticator {
  /** The identity of the cluster's own nodes. */
  public static final String PEER = "quiver-peer";

  private final byte[] clusterBearer;
  private final CallHeaderAuthenticator users;
  private final JwtVerifier jwt;
  private final Access access;

  /**
   * @param clusterSecret what peers send; null when the node has no peers to hear from
   */
  public NodeAuthenticator(Users users, String clusterSecret) {
    this(users, clusterSecret, null, Access.open());
  }

  /**
   * @param clusterSecret what peers send; null when the node has no peers to hear from
   * @param jwt verifies JWT bearer tokens of an OIDC issuer, or null to accept none
   * @param access told the roles each token carries
   */
  public NodeAuthenticator(Users users, String clusterSecret, JwtVerifier jwt, Access access) {
    requireNonNull(users, "users is null");
    this.jwt = jwt;
    this.access = requireNonNull(access, "access is null");
    this.clusterBearer =
        clusterSecret == null ? null : ("Bearer " + clusterSecret).getBytes(StandardCharsets.UTF_8);
    this.users =
        new GeneratedBearerTokenAuthenticator(new BasicCallHeaderAuthenticator(users::validate));
  }

  @Override
  public AuthResult authenticate(CallHeaders headers) {
    String authorization = headers.get("authorization");
    if (clusterBearer != null
        && authorization != null
        && MessageDigest.isEqual(clusterBearer, authorization.getBytes(StandardCharsets.UTF_8))) {
      return () -> PEER;
    }
    if (jwt != null
        && authorization != null
        && authorization.startsWith("Bearer ")
        && JwtVerifier.looksLikeJwt(authorization.substring("Bearer ".length()))) {
      JwtVerifier.Principal principal = jwt.verify(authorization.substring("Bearer ".length()));
      access.roles(principal.user(), principal.roles());
      return principal::user;
    }
    return users.authenticate(headers);
  }
}
