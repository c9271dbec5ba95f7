/**
 * Every ticket a Quiver node hands out, as one sealed hierarchy ({@link
 * dev.quiver.server.ticket.QuiverTicket}) with one codec ({@link
 * dev.quiver.server.ticket.Tickets}): versioned JSON with a {@code kind}, decoded once and
 * dispatched by type. Depends on nothing but the dataset model and the sort keys.
 */
package dev.quiver.server.ticket;
