package dev.quiver.server.exec;

/**
 * One ORDER BY item. NULLs sort last unless asked otherwise, as in DuckDB.
 *
 * @param column the index of the computed column it sorts by
 */
public record SortKey(int column, boolean descending, boolean nullsFirst) {}
