/**
 * Row predicates with SQL semantics: their model, the coercion of literals to a column's type,
 * normalisation, and the vectorized evaluation over Arrow batches.
 */
package dev.quiver.parquet.predicate;
