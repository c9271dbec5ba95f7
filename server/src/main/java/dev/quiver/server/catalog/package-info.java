/**
 * The catalog: which datasets this node serves, loaded once at startup, and the embedded sample
 * data served when none is configured. Plain Java; the Micronaut wiring lives in {@code
 * CatalogFactory}. Must not depend on Flight.
 */
package dev.quiver.server.catalog;
