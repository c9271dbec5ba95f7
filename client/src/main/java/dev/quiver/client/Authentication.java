package dev.quiver.client;

import org.apache.arrow.flight.FlightClientMiddleware;

/**
 * How a client proves who it is to nodes that authenticate their clients: a user name and password
 * ({@link Credentials}) or a bearer token an OIDC issuer signed ({@link BearerToken}).
 */
public sealed interface Authentication permits Credentials, BearerToken {
  /** Middleware for one connection, adding what this sends to every call. */
  FlightClientMiddleware.Factory middleware();
}
