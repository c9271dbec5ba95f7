package dev.quiver.parquet.decode;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.schema.ArrowSchemaMapping;
import dev.quiver.parquet.schema.UnsupportedParquetFeatureException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Decodes a nested column (STRUCT, LIST, MAP, in any combination) from its leaf columns' repetition
 * and definition levels, straight into the Arrow vector tree: Dremel's record assembly, one leaf at
 * a time.
 *
 * <p>Each leaf's levels describe every ancestor, so each leaf walks its own path; an ancestor's
 * validity and offsets are written only by the first leaf under it, and every leaf writes its own
 * values. A triple with repetition level {@code r} continues the lists at or above depth {@code r}
 * and starts new ones below; its definition level {@code d} tells how deep the value is defined: a
 * struct or list whose level exceeds {@code d} is null, a list whose repeated level exceeds it is
 * empty.
 */
final class NestedColumnDecoder implements ColumnDecoder {
  private final List<LeafPath> leaves;

  private NestedColumnDecoder(List<LeafPath> leaves) {
    this.leaves = leaves;
  }

  /**
   * @param column the top-level field's Parquet type in {@code schema}
   * @param vector the top-level Arrow vector, typed by {@link ArrowSchemaMapping}
   * @param readers the column reader of each leaf
   */
  static NestedColumnDecoder create(
      MessageType schema,
      Type column,
      FieldVector vector,
      Function<ColumnDescriptor, ColumnReader> readers,
      String file) {
    List<LeafPath> leaves = new ArrayList<>();
    Map<ValueVector, Boolean> owned = new IdentityHashMap<>();
    collect(
        schema,
        column,
        vector,
        new String[] {column.getName()},
        new ArrayList<>(),
        leaves,
        owned,
        readers,
        file);
    return new NestedColumnDecoder(leaves);
  }

  private static void collect(
      MessageType schema,
      Type type,
      ValueVector vector,
      String[] path,
      List<Node> above,
      List<LeafPath> leaves,
      Map<ValueVector, Boolean> owned,
      Function<ColumnDescriptor, ColumnReader> readers,
      String file) {
    List<Node> nodes = new ArrayList<>(above);
    int definition = schema.getMaxDefinitionLevel(path);
    boolean owner = owned.put(vector, Boolean.TRUE) == null;
    if (type.isRepetition(Type.Repetition.REPEATED)) {
      // A repeated field outside a LIST: a list that is never null, whose elements are the field.
      ListVector list = (ListVector) vector;
      int repetition = schema.getMaxRepetitionLevel(path);
      nodes.add(Node.list(list, definition - 1, definition, repetition, owner));
      element(schema, type, list.getDataVector(), path, nodes, leaves, owned, readers, file);
      return;
    }
    if (type.isPrimitive()) {
      ColumnDescriptor descriptor = schema.getColumnDescription(path);
      FieldVector leaf = (FieldVector) vector;
      nodes.add(Node.leaf(leaf, definition, ColumnDecoders.copier(descriptor, leaf, file)));
      leaves.add(new LeafPath(readers.apply(descriptor), nodes));
      return;
    }
    GroupType group = type.asGroupType();
    LogicalTypeAnnotation logical = group.getLogicalTypeAnnotation();
    boolean isList = logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation;
    boolean isMap =
        logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
            || logical instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation;
    if (isList || isMap) {
      ListVector list = (ListVector) vector;
      Type repeated = group.getType(0);
      String[] repeatedPath = append(path, repeated.getName());
      int repeatedDefinition = schema.getMaxDefinitionLevel(repeatedPath);
      int repetition = schema.getMaxRepetitionLevel(repeatedPath);
      nodes.add(Node.list(list, definition, repeatedDefinition, repetition, owner));
      if (isMap || ArrowSchemaMapping.isElementItself(repeated, group.getName())) {
        element(
            schema,
            repeated,
            list.getDataVector(),
            repeatedPath,
            nodes,
            leaves,
            owned,
            readers,
            file);
      } else {
        Type element = repeated.asGroupType().getType(0);
        collect(
            schema,
            element,
            list.getDataVector(),
            append(repeatedPath, element.getName()),
            nodes,
            leaves,
            owned,
            readers,
            file);
      }
      return;
    }
    StructVector struct = (StructVector) vector;
    nodes.add(Node.struct(struct, definition, owner));
    for (Type child : group.getFields()) {
      collect(
          schema,
          child,
          struct.getChild(child.getName()),
          append(path, child.getName()),
          nodes,
          leaves,
          owned,
          readers,
          file);
    }
  }

  /** The element of a list is the repeated field itself: a leaf or a (never null) struct. */
  private static void element(
      MessageType schema,
      Type repeated,
      ValueVector vector,
      String[] path,
      List<Node> nodes,
      List<LeafPath> leaves,
      Map<ValueVector, Boolean> owned,
      Function<ColumnDescriptor, ColumnReader> readers,
      String file) {
    int definition = schema.getMaxDefinitionLevel(path);
    if (repeated.isPrimitive()) {
      ColumnDescriptor descriptor = schema.getColumnDescription(path);
      FieldVector leaf = (FieldVector) vector;
      owned.put(vector, Boolean.TRUE);
      List<Node> withLeaf = new ArrayList<>(nodes);
      withLeaf.add(Node.leaf(leaf, definition, ColumnDecoders.copier(descriptor, leaf, file)));
      leaves.add(new LeafPath(readers.apply(descriptor), withLeaf));
      return;
    }
    StructVector struct = (StructVector) vector;
    boolean owner = owned.put(vector, Boolean.TRUE) == null;
    List<Node> withStruct = new ArrayList<>(nodes);
    withStruct.add(Node.struct(struct, definition, owner));
    for (Type child : repeated.asGroupType().getFields()) {
      collect(
          schema,
          child,
          struct.getChild(child.getName()),
          append(path, child.getName()),
          withStruct,
          leaves,
          owned,
          readers,
          file);
    }
  }

  private static String[] append(String[] path, String name) {
    String[] longer = java.util.Arrays.copyOf(path, path.length + 1);
    longer[path.length] = name;
    return longer;
  }

  @Override
  public void decode(int offset, int count) {
    for (LeafPath leaf : leaves) {
      leaf.decode(offset, count);
    }
  }

  /** One level of a leaf's path: a struct, a list, or the leaf itself. */
  private static final class Node {
    final ValueVector vector;
    final boolean isList;
    final boolean isLeaf;
    final int definition;
    final int repeatedDefinition;
    final int repetition;
    final boolean owner;
    final ValueCopier copier;
    // Per-batch state of one leaf's walk.
    int elements;
    int currentElement;
    int currentSlot;

    private Node(
        ValueVector vector,
        boolean isList,
        boolean isLeaf,
        int definition,
        int repeatedDefinition,
        int repetition,
        boolean owner,
        ValueCopier copier) {
      this.vector = vector;
      this.isList = isList;
      this.isLeaf = isLeaf;
      this.definition = definition;
      this.repeatedDefinition = repeatedDefinition;
      this.repetition = repetition;
      this.owner = owner;
      this.copier = copier;
    }

    static Node struct(StructVector vector, int definition, boolean owner) {
      return new Node(vector, false, false, definition, 0, 0, owner, null);
    }

    static Node list(
        ListVector vector, int definition, int repeatedDefinition, int repetition, boolean owner) {
      return new Node(vector, true, false, definition, repeatedDefinition, repetition, owner, null);
    }

    static Node leaf(FieldVector vector, int definition, ValueCopier copier) {
      return new Node(vector, false, true, definition, 0, 0, true, copier);
    }
  }

  /** A leaf column and the nodes from the top-level field down to it. */
  private static final class LeafPath {
    private final ColumnReader reader;
    private final List<Node> nodes;
    private final long totalTriples;
    private long consumed;

    LeafPath(ColumnReader reader, List<Node> nodes) {
      this.reader = requireNonNull(reader, "reader is null");
      this.nodes = nodes;
      this.totalTriples = reader.getTotalValueCount();
    }

    void decode(int offset, int count) {
      for (Node node : nodes) {
        node.elements = 0;
      }
      for (int record = 0; record < count; record++) {
        if (consumed >= totalTriples) {
          throw new UnsupportedParquetFeatureException(
              "Column "
                  + String.join(".", reader.getDescriptor().getPath())
                  + " ended before its row group's rows");
        }
        do {
          assemble(
              offset + record,
              reader.getCurrentRepetitionLevel(),
              reader.getCurrentDefinitionLevel());
          reader.consume();
          consumed++;
        } while (consumed < totalTriples && reader.getCurrentRepetitionLevel() > 0);
      }
    }

    /** Places one (repetition, definition, value) triple of record {@code record}. */
    private void assemble(int record, int r, int d) {
      int slot = record;
      for (int j = 0; j < nodes.size(); j++) {
        Node node = nodes.get(j);
        if (node.isLeaf) {
          FieldVector leaf = (FieldVector) node.vector;
          if (d >= node.definition) {
            while (slot >= leaf.getValueCapacity()) {
              leaf.reAlloc();
            }
            node.copier.copy(reader, slot);
          } else {
            leaf.setNull(slot);
          }
          return;
        }
        if (!node.isList) {
          StructVector struct = (StructVector) node.vector;
          if (d < node.definition) {
            nullFrom(j, slot);
            return;
          }
          if (node.owner) {
            struct.setIndexDefined(slot);
          }
          continue;
        }
        ListVector list = (ListVector) node.vector;
        if (r < node.repetition) {
          if (d < node.definition) {
            if (node.owner) {
              list.setNull(slot);
            }
            return;
          }
          if (node.owner) {
            list.startNewValue(slot);
          }
          node.currentSlot = slot;
          if (d < node.repeatedDefinition) {
            return;
          }
          node.currentElement = node.elements++;
          if (node.owner) {
            list.endValue(slot, 1);
          }
        } else if (r == node.repetition) {
          node.currentElement = node.elements++;
          if (node.owner) {
            list.endValue(node.currentSlot, 1);
          }
        }
        slot = node.currentElement;
      }
    }

    /** A struct at depth {@code from} is null at {@code slot}: so is everything below it there. */
    private void nullFrom(int from, int slot) {
      for (int j = from; j < nodes.size(); j++) {
        Node node = nodes.get(j);
        if (node.isLeaf) {
          ((FieldVector) node.vector).setNull(slot);
          return;
        }
        if (node.owner) {
          if (node.isList) {
            ((ListVector) node.vector).setNull(slot);
          } else {
            ((StructVector) node.vector).setNull(slot);
          }
        }
        if (node.isList) {
          return;
        }
      }
    }
  }
}
