/**
 * Physical operators: one class per operator (scan, filter, project, sort, limit), all pulling
 * Arrow batches through the same {@link dev.quiver.server.exec.Operator} contract, and the sort
 * kernel they share with the aggregation's final stage. Operators know nothing of Flight or the
 * cluster; the query package composes them.
 */
package dev.quiver.server.exec;
