/** The node's entry point: the {@code quiver serve} command that starts the Micronaut context. */
package dev.quiver.server;
