/**
 * Mapping of Parquet schemas to Arrow schemas: one place decides which Arrow type a Parquet column
 * becomes, so that decoders and clients agree. Depends on parquet-column and arrow-vector only.
 */
package dev.quiver.parquet.schema;
