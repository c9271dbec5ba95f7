/**
 * Scalar SQL expressions over Arrow batches: the tree ({@link
 * dev.quiver.server.expression.Expression}), its vectorized evaluation one column at a time ({@link
 * dev.quiver.server.expression.Evaluator}) and the kernels behind each function. Types are Arrow
 * types; planning (Calcite) happens elsewhere and hands finished trees in. Nothing here knows about
 * Flight, the catalog or Micronaut.
 */
package dev.quiver.server.expression;
