/** The node's TLS certificate, read from PEM files and read again when they change. */
package dev.quiver.server.tls;
