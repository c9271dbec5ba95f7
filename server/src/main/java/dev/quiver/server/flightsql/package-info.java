/**
 * Arrow Flight SQL on a node's Flight port: statements and prepared statements run through the same
 * planner and distributed execution as plain Flight commands, and the catalog is described in
 * Flight SQL's metadata commands, so JDBC and ADBC drivers work against any node.
 */
package dev.quiver.server.flightsql;
