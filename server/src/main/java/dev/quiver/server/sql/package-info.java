/**
 * Queries as Quiver runs them: {@link dev.quiver.server.sql.QueryPlanner} is the entry (it hands
 * the text to the Calcite planner in {@code plan} and caches the result), {@link
 * dev.quiver.server.sql.QueryPlan} and {@link dev.quiver.server.sql.AggregatePlan} are the plans,
 * and {@link dev.quiver.server.sql.QueryExecution} runs a scan query's operators on one node.
 */
package dev.quiver.server.sql;
