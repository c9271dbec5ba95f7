package dev.quiver.server.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.util.Set;
import org.apache.arrow.flight.CallStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWT bearer tokens an OIDC issuer signed (what the Flight SQL JDBC driver sends with
 * {@code token=}): the signature against the issuer's JWKS (fetched and cached by Nimbus JOSE +
 * JWT, refetched when a token names an unknown key), the issuer exactly, the audience when one is
 * configured, and the expiry. The user is a claim of the token, {@code sub} by default.
 *
 * <p>Thread-safe.
 */
public final class JwtVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);
  private static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512,
          JWSAlgorithm.EdDSA);

  private final ConfigurableJWTProcessor<SecurityContext> processor;
  private final String userClaim;
  private final String rolesClaim;

  /**
   * Who a token names.
   *
   * @param user the user claim's value
   * @param roles the roles claim's values (a list, or a space-separated string), if any
   */
  public record Principal(String user, java.util.Set<String> roles) {}

  /**
   * @param jwks the issuer's key set: an {@code https://} (or {@code http://}) URL, or a {@code
   *     file:} URL or path of a JWKS JSON file
   * @param issuer the {@code iss} every token must carry
   * @param audience an {@code aud} every token must include, or null to accept any
   * @param userClaim the claim naming the user
   * @param rolesClaim the claim listing the user's roles
   */
  public JwtVerifier(
      String jwks, String issuer, String audience, String userClaim, String rolesClaim) {
    this.rolesClaim = requireNonNull(rolesClaim, "rolesClaim is null");
    requireNonNull(jwks, "jwks is null");
    requireNonNull(issuer, "issuer is null");
    this.userClaim = requireNonNull(userClaim, "userClaim is null");
    processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys(jwks)));
    processor.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            audience == null || audience.isBlank() ? null : Set.of(audience),
            new JWTClaimsSet.Builder().issuer(issuer).build(),
            Set.of("exp", userClaim),
            null));
  }

  private static JWKSource<SecurityContext> keys(String jwks) {
    try {
      if (jwks.startsWith("http://") || jwks.startsWith("https://")) {
        return JWKSourceBuilder.create(URI.create(jwks).toURL()).retrying(true).build();
      }
      File file = jwks.startsWith("file:") ? new File(URI.create(jwks)) : new File(jwks);
      return new ImmutableJWKSet<>(JWKSet.load(file));
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("quiver.auth-jwks '" + jwks + "' is not a URL", e);
    } catch (IOException | ParseException e) {
      throw new IllegalArgumentException(
          "Cannot read the JWKS file " + jwks + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code token} has a JWT's shape (three dot-separated parts), as opposed to ours. */
  static boolean looksLikeJwt(String token) {
    int first = token.indexOf('.');
    return first > 0 && token.indexOf('.', first + 1) > first + 1;
  }

  /**
   * The user, and roles, a valid token names.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException UNAUTHENTICATED, saying nothing of why
   *     (the reason is logged at DEBUG)
   */
  public Principal verify(String token) {
    try {
      JWTClaimsSet claims = processor.process(token, null);
      Object user = claims.getClaim(userClaim);
      if (!(user instanceof String name) || name.isBlank() || name.equals(NodeAuthenticator.PEER)) {
        throw new IllegalArgumentException("claim " + userClaim + " is not a user name");
      }
      java.util.Set<String> roles = new java.util.LinkedHashSet<>();
      Object claimed = claims.getClaim(rolesClaim);
      if (claimed instanceof java.util.Collection<?> list) {
        list.forEach(role -> roles.add(String.valueOf(role)));
      } else if (claimed instanceof String text) {
        roles.addAll(java.util.List.of(text.trim().split("\\s+")));
      }
      return new Principal(name, roles);
    } catch (Exception e) {
      LOG.debug("Refused a bearer token: {}", e.getMessage());
      throw CallStatus.UNAUTHENTICATED.withDescription("Invalid bearer token").toRuntimeException();
    }
  }
}
