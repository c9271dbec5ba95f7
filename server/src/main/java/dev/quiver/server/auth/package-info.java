/**
 * Who may call a node: users from a password file (bcrypt), who exchange their password for a
 * bearer token through Arrow Flight's auth handlers, and the cluster's own nodes, which present the
 * cluster secret and alone may make the internal calls.
 */
package dev.quiver.server.auth;
