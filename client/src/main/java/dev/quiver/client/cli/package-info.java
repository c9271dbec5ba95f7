/**
 * The {@code quiver} command line: subcommands on picocli and the writers that print Arrow batches
 * as tables, CSV, JSON lines or Arrow IPC. Depends on the client library only.
 */
package dev.quiver.client.cli;
