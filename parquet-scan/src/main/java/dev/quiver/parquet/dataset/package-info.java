/**
 * Datasets: which Parquet files make one, their footers read once, and the one Arrow schema unified
 * across them. Depends on parquet-hadoop and the schema mapping; knows nothing of Flight or SQL.
 */
package dev.quiver.parquet.dataset;
