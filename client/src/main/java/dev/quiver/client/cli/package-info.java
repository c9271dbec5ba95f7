/**
 * The {@code quiver} command line: subcommands on picocli, the writers that print Arrow batches as
 * tables, CSV, JSON lines or Arrow IPC, and the SQL shell ({@code quiver shell}, line editing by
 * JLine), which prints through the same writers. Depends on the client library only.
 */
package dev.quiver.client.cli;
