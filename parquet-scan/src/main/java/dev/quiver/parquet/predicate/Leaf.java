package dev.quiver.parquet.predicate;

/** A predicate on one column. */
public interface Leaf {
  String column();
}
