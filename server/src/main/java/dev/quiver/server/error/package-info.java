/**
 * The node's error vocabulary: one enum of categories that {@code flight.FlightErrors} maps to
 * Flight status codes in one place. Depends on nothing else in the node.
 */
package dev.quiver.server.error;
