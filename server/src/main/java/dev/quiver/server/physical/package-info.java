/**
 * The physical plan as data: a tree of operators ({@link dev.quiver.server.physical.PhysicalPlan})
 * in which exchanges are operators too, lowered from a planned query in one place ({@link
 * dev.quiver.server.physical.PhysicalPlanner}) and cut at its exchanges into stages with their
 * tasks ({@link dev.quiver.server.physical.StagePlanner}), which {@code EXPLAIN} prints. Depends on
 * the planned query ({@code sql}), the operators' value types and the cluster's membership; nothing
 * here runs a query or makes a call.
 */
package dev.quiver.server.physical;
