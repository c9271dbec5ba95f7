package dev.quiver.parquet.decode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Decodes a column chunk's dictionary page: PLAIN values, fixed-width ones back to back, byte
 * arrays (strings) each after its 4-byte little-endian length. The values must fill the page
 * exactly, so a damaged length (in files without page checksums) fails as a {@link
 * DamagedColumnException} naming the column, not as an index out of bounds somewhere in a decoder.
 */
public final class DictionaryPageDecoder {
  private DictionaryPageDecoder() {}

  /**
   * Returns {@code page} after checking that its values fill it exactly, for code that decodes it
   * itself (parquet-java's dictionary filter); null stays null.
   *
   * @throws DamagedColumnException if they do not
   */
  public static DictionaryPage checked(ColumnDescriptor column, DictionaryPage page) {
    if (page == null || !isPlain(page.getEncoding())) {
      return page; // another encoding is for its decoder to refuse
    }
    byte[] bytes = bytes(column, page);
    PrimitiveTypeName physical = column.getPrimitiveType().getPrimitiveTypeName();
    if (physical == PrimitiveTypeName.BINARY) {
      valueOffsets(column, page.getDictionarySize(), bytes);
    } else if (physical != PrimitiveTypeName.BOOLEAN) {
      checkFixedWidth(column, page.getDictionarySize(), width(column), bytes);
    }
    return page;
  }

  /**
   * The values of {@code page}, a dictionary of INT32, INT64, FLOAT or DOUBLE, as raw bits: one
   * long each, 32-bit values sign-extended.
   */
  static long[] fixedWidthValues(ColumnDescriptor column, DictionaryPage page) {
    byte[] bytes = plainBytes(column, page);
    int count = page.getDictionarySize();
    PrimitiveTypeName physical = column.getPrimitiveType().getPrimitiveTypeName();
    int width =
        switch (physical) {
          case INT32, FLOAT -> 4;
          case INT64, DOUBLE -> 8;
          default -> throw new IllegalArgumentException("Not a fixed-width number: " + physical);
        };
    checkFixedWidth(column, count, width, bytes);
    ByteBuffer values = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long[] decoded = new long[count];
    for (int id = 0; id < count; id++) {
      decoded[id] = width == 4 ? values.getInt() : values.getLong();
    }
    return decoded;
  }

  /** The values of {@code page}, a dictionary of byte arrays. */
  static byte[][] binaryValues(ColumnDescriptor column, DictionaryPage page) {
    byte[] bytes = plainBytes(column, page);
    int count = page.getDictionarySize();
    int[] offsets = valueOffsets(column, count, bytes);
    byte[][] values = new byte[count][];
    for (int id = 0; id < count; id++) {
      values[id] = Arrays.copyOfRange(bytes, offsets[id] + 4, offsets[id + 1]);
    }
    return values;
  }

  /**
   * Where each length-prefixed value starts, and after the last one where it ends (the page's end),
   * checking every length on the way.
   */
  private static int[] valueOffsets(ColumnDescriptor column, int count, byte[] bytes) {
    checkCount(column, count, 4, bytes);
    ByteBuffer page = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int[] offsets = new int[count + 1];
    int offset = 0;
    for (int id = 0; id < count; id++) {
      offsets[id] = offset;
      if (bytes.length - offset < 4) {
        throw damaged(
            column,
            count,
            "it ends inside the length of value " + id + " (" + offset + " bytes in)");
      }
      int length = page.getInt(offset);
      offset += 4;
      if (length < 0 || length > bytes.length - offset) {
        throw damaged(
            column,
            count,
            "value "
                + id
                + " has length "
                + length
                + " with "
                + (bytes.length - offset)
                + " bytes left");
      }
      offset += length;
    }
    if (offset != bytes.length) {
      throw damaged(
          column, count, "its values end after " + offset + " of its " + bytes.length + " bytes");
    }
    offsets[count] = offset;
    return offsets;
  }

  private static void checkFixedWidth(ColumnDescriptor column, int count, int width, byte[] bytes) {
    checkCount(column, count, width, bytes);
    if ((long) count * width != bytes.length) {
      throw damaged(
          column,
          count,
          "its values of "
              + width
              + " bytes need "
              + (long) count * width
              + " bytes, the page has "
              + bytes.length);
    }
  }

  private static void checkCount(ColumnDescriptor column, int count, int minWidth, byte[] bytes) {
    if (count < 0) {
      throw damaged(column, count, "a count below zero");
    }
    if ((long) count * minWidth > bytes.length) {
      throw damaged(column, count, "the page has only " + bytes.length + " bytes");
    }
  }

  private static int width(ColumnDescriptor column) {
    return switch (column.getPrimitiveType().getPrimitiveTypeName()) {
      case INT32, FLOAT -> 4;
      case INT64, DOUBLE -> 8;
      case INT96 -> 12;
      case FIXED_LEN_BYTE_ARRAY -> column.getPrimitiveType().getTypeLength();
      case BINARY, BOOLEAN -> throw new IllegalArgumentException("Not fixed-width: " + column);
    };
  }

  /** The page's bytes, after checking its values are PLAIN. */
  private static byte[] plainBytes(ColumnDescriptor column, DictionaryPage page) {
    if (!isPlain(page.getEncoding())) {
      throw new DamagedColumnException(
          name(column), "has a dictionary page encoded as " + page.getEncoding());
    }
    return bytes(column, page);
  }

  private static byte[] bytes(ColumnDescriptor column, DictionaryPage page) {
    try {
      return page.getBytes().toByteArray();
    } catch (IOException e) {
      throw new DamagedColumnException(
          name(column), "has a dictionary page that cannot be read: " + e.getMessage(), e);
    }
  }

  private static boolean isPlain(Encoding encoding) {
    return encoding == Encoding.PLAIN || encoding == Encoding.PLAIN_DICTIONARY;
  }

  private static DamagedColumnException damaged(ColumnDescriptor column, int count, String what) {
    return new DamagedColumnException(
        name(column), "has a damaged dictionary page of " + count + " values: " + what);
  }

  private static String name(ColumnDescriptor column) {
    return String.join(".", column.getPath());
  }
}
