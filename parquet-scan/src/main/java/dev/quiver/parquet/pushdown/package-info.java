/**
 * Predicate pushdown into Parquet: the translation of Quiver predicates to parquet-java's filter
 * API, and the pruning of row groups (statistics, dictionaries, bloom filters) and pages (column
 * and offset indexes), each level counted.
 */
package dev.quiver.parquet.pushdown;
