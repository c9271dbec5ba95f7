package dev.quiver.parquet.dataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Unifies the schemas of a dataset's files into one: columns are matched by name, in order of first
 * appearance; a column missing from some files becomes nullable (it reads as nulls there); INT32
 * widens to INT64 and FLOAT to DOUBLE; any other difference is a conflict naming both files.
 */
public final class SchemaUnifier {
  private final Map<String, Field> fields = new LinkedHashMap<>();
  private final Map<String, String> firstFileOf = new LinkedHashMap<>();
  private final Map<String, Integer> filesWith = new LinkedHashMap<>();
  private int fileCount;

  /** Adds one file's schema. */
  public void add(Schema schema, String file) {
    fileCount++;
    for (Field field : schema.getFields()) {
      filesWith.merge(field.getName(), 1, Integer::sum);
      Field known = fields.get(field.getName());
      if (known == null) {
        fields.put(field.getName(), field);
        firstFileOf.put(field.getName(), file);
        continue;
      }
      ArrowType unified = unify(known.getType(), field.getType());
      if (unified != null && !known.getChildren().equals(field.getChildren())) {
        unified = null;
      }
      if (unified == null) {
        throw new InvalidDatasetException(
            "Cannot unify column '"
                + field.getName()
                + "': it is "
                + known.getType()
                + " in "
                + firstFileOf.get(field.getName())
                + " but "
                + field.getType()
                + " in "
                + file);
      }
      boolean nullable = known.isNullable() || field.isNullable();
      fields.put(field.getName(), field(field.getName(), nullable, unified, known.getChildren()));
    }
  }

  /** The unified schema; columns some files lack are nullable. */
  public Schema schema() {
    List<Field> result = new ArrayList<>(fields.size());
    for (Field field : fields.values()) {
      boolean inEveryFile = filesWith.get(field.getName()) == fileCount;
      result.add(
          inEveryFile ? field : field(field.getName(), true, field.getType(), field.getChildren()));
    }
    return new Schema(result);
  }

  private static Field field(String name, boolean nullable, ArrowType type, List<Field> children) {
    return new Field(name, new FieldType(nullable, type, null), children);
  }

  private static ArrowType unify(ArrowType a, ArrowType b) {
    if (a.equals(b)) {
      return a;
    }
    if (a instanceof ArrowType.Int x
        && b instanceof ArrowType.Int y
        && x.getIsSigned()
        && y.getIsSigned()
        && Math.max(x.getBitWidth(), y.getBitWidth()) == 64
        && Math.min(x.getBitWidth(), y.getBitWidth()) == 32) {
      return new ArrowType.Int(64, true);
    }
    if (a instanceof ArrowType.FloatingPoint x && b instanceof ArrowType.FloatingPoint y) {
      boolean singleAndDouble =
          (x.getPrecision() == FloatingPointPrecision.SINGLE
                  && y.getPrecision() == FloatingPointPrecision.DOUBLE)
              || (x.getPrecision() == FloatingPointPrecision.DOUBLE
                  && y.getPrecision() == FloatingPointPrecision.SINGLE);
      if (singleAndDouble) {
        return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      }
    }
    return null;
  }
}
