/**
 * The node's configuration, bound by Micronaut from {@code application.yml}, {@code QUIVER_...}
 * environment variables and command-line flags. Only values live here, no behaviour.
 */
package dev.quiver.server.config;
