package dev.quiver.parquet.decode;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.io.PageBuffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * The fast path for flat columns whose Parquet values have the Arrow vector's own layout (INT32
 * into 32-bit vectors, INT64 into 64-bit ones, FLOAT, DOUBLE, and BINARY into VARCHAR or
 * VARBINARY): it reads pages itself, copies PLAIN runs of fixed-width values without nulls into the
 * vector's buffer in one block, and resolves dictionary ids against a dictionary decoded once into
 * an array. Definition levels come from parquet-column's RLE decoder.
 *
 * <p>Only for chunks whose encodings are PLAIN, dictionary and RLE levels, read without page
 * skipping; {@link #supports} decides, and everything else takes {@link FlatColumnDecoder}.
 */
final class PageColumnDecoder implements ColumnDecoder {
  private static final Set<Encoding> ENCODINGS =
      EnumSet.of(
          Encoding.PLAIN,
          Encoding.PLAIN_DICTIONARY,
          Encoding.RLE_DICTIONARY,
          Encoding.RLE,
          Encoding.BIT_PACKED);

  private final ColumnDescriptor column;
  private final PageReader pages;
  private final FieldVector vector;
  private final int width;
  private final int maxDefinition;
  private final int definitionWidth;
  private final boolean binary;
  private final boolean decimal;
  private final int physicalWidth;
  private final long[] dictionary;
  private final byte[][] binaryDictionary;
  private final ValueRange range;

  private int pageRemaining;

  /** The current page's decompressed bytes, given back to {@link PageBuffers} once read. */
  private ByteBuffer page;

  private HybridRleDecoder definitions;
  private ByteBuffer plain;
  private HybridRleDecoder ids;

  /**
   * Where levels and ids are decoded, and the heap copies of a direct page's levels and of its
   * values when those are read value by value (dictionary ids, strings, decimals): a direct
   * buffer's {@code get} checks its memory scope on every byte, which cost a quarter of an
   * aggregation's CPU; one bulk copy costs a hundredth. PLAIN fixed-width values stay where they
   * are: they are copied into Arrow memory in runs.
   */
  private final DecodeScratch scratch;

  /** The column's dotted path, for errors. */
  private final String name;

  /**
   * @param statistics the column chunk's statistics, or null; integer values outside their min and
   *     max fail the scan as corrupt (files without page checksums are otherwise read as they are)
   */
  PageColumnDecoder(
      ColumnDescriptor column,
      PageReader pages,
      FieldVector vector,
      Statistics<?> statistics,
      DecodeScratch scratch) {
    this.column = requireNonNull(column, "column is null");
    this.scratch = requireNonNull(scratch, "scratch is null");
    this.name = String.join(".", column.getPath());
    this.pages = requireNonNull(pages, "pages is null");
    this.vector = requireNonNull(vector, "vector is null");
    this.binary = vector instanceof BaseVariableWidthVector;
    this.decimal = vector instanceof DecimalVector;
    this.width = binary ? 0 : ((BaseFixedWidthVector) vector).getTypeWidth();
    this.physicalWidth =
        column.getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.INT32 ? 4 : 8;
    this.maxDefinition = column.getMaxDefinitionLevel();
    this.definitionWidth = BytesUtils.getWidthFromMaxInt(maxDefinition);
    DictionaryPage dictionaryPage = pages.readDictionaryPage();
    this.dictionary =
        binary || dictionaryPage == null
            ? null
            : DictionaryPageDecoder.fixedWidthValues(column, dictionaryPage);
    this.binaryDictionary =
        !binary || dictionaryPage == null
            ? null
            : DictionaryPageDecoder.binaryValues(column, dictionaryPage);
    this.range = ValueRange.of(vector, statistics);
    if (range != null && dictionary != null) {
      for (long value : dictionary) {
        range.check(value, value, name);
      }
    }
  }

  /** Whether this decoder can read {@code chunk} into {@code vector}. */
  static boolean supports(ColumnDescriptor column, ColumnChunkMetaData chunk, FieldVector vector) {
    if (column.getMaxRepetitionLevel() != 0 || !ENCODINGS.containsAll(chunk.getEncodings())) {
      return false;
    }
    PrimitiveTypeName physical = column.getPrimitiveType().getPrimitiveTypeName();
    return switch (physical) {
      case INT32 ->
          vector instanceof IntVector
              || vector instanceof DateDayVector
              || vector instanceof TimeMilliVector
              || vector instanceof UInt4Vector
              || vector instanceof DecimalVector;
      case INT64 ->
          vector instanceof BigIntVector
              || vector instanceof TimeStampVector
              || vector instanceof TimeMicroVector
              || vector instanceof TimeNanoVector
              || vector instanceof UInt8Vector
              || vector instanceof DecimalVector;
      case FLOAT -> vector instanceof Float4Vector;
      case DOUBLE -> vector instanceof Float8Vector;
      case BINARY -> vector instanceof VarCharVector || vector instanceof VarBinaryVector;
      default -> false;
    };
  }

  /** Fixed-width values: defined runs are written, null runs zeroed (see {@link #readRuns}). */
  @Override
  public boolean writesEveryValue() {
    return !binary;
  }

  @Override
  public void decode(int offset, int count) {
    int index = offset;
    int end = offset + count;
    while (index < end) {
      if (pageRemaining == 0) {
        nextPage();
      }
      int n = Math.min(end - index, pageRemaining);
      if (maxDefinition == 0) {
        writeRun(index, n);
      } else {
        readRuns(index, n);
      }
      index += n;
      pageRemaining -= n;
      if (pageRemaining == 0) {
        // Every value is in the vector now (copied, never referenced), so the page may be reused.
        PageBuffers.SHARED.giveBack(page);
        page = null;
      }
    }
  }

  /**
   * Rows of an optional column: runs of defined rows are written as they come off the definition
   * levels without decoding each level; the rest decode their levels first, then the values of the
   * defined rows.
   */
  private void readRuns(int index, int n) {
    int done = 0;
    while (done < n) {
      int defined = definitions.skipRepeated(maxDefinition, n - done);
      if (defined == 0) {
        break;
      }
      writeRun(index + done, defined);
      done += defined;
    }
    if (done < n) {
      readLevelsAndRuns(index + done, n - done);
    }
  }

  /** Definition levels first, then the values of the defined rows. */
  private void readLevelsAndRuns(int index, int n) {
    if (scratch.levels.length < n) {
      scratch.levels = new int[n];
    }
    int[] levels = scratch.levels;
    definitions.read(levels, 0, n);
    int i = 0;
    while (i < n) {
      int start = i;
      boolean defined = levels[i] == maxDefinition;
      while (i < n && (levels[i] == maxDefinition) == defined) {
        i++;
      }
      if (defined) {
        writeRun(index + start, i - start);
      } else if (!binary) {
        vector.getDataBuffer().setZero((long) (index + start) * width, (long) (i - start) * width);
      }
    }
  }

  /** Writes {@code n} consecutive non-null values from row {@code index} on. */
  private void writeRun(int index, int n) {
    if (binary) {
      writeBinary((BaseVariableWidthVector) vector, index, n);
      return;
    }
    ArrowBuf data = vector.getDataBuffer();
    if (decimal) {
      writeDecimals(data, index, n);
    } else if (plain != null) {
      copyPlain(data, index, n);
    } else {
      writeKeys(data, index, n);
    }
    Validity.setRange(vector.getValidityBuffer(), index, n);
  }

  /** INT32 and INT64 unscaled values sign-extended into 128-bit decimals. */
  private void writeDecimals(ArrowBuf data, int index, int n) {
    int[] keys = plain == null ? keys(n) : null;
    if (plain == null) {
      ids.read(keys, 0, n);
    }
    long address = checkedAddress(data, (long) (index + n) << 4) + ((long) index << 4);
    for (int k = 0; k < n; k++) {
      long value =
          plain == null
              ? dictionary[keys[k]]
              : physicalWidth == 8 ? plain.getLong() : plain.getInt();
      long offset = address + ((long) k << 4);
      MemoryUtil.putLong(offset, value);
      MemoryUtil.putLong(offset + 8, value >> 63);
    }
  }

  /** Strings and bytes: PLAIN values are length-prefixed, dictionary ones looked up. */
  private void writeBinary(BaseVariableWidthVector target, int index, int n) {
    if (plain != null) {
      for (int k = 0; k < n; k++) {
        int length = plain.getInt();
        if (length < 0 || length > plain.remaining()) {
          throw new DamagedColumnException(
              name,
              "has a value of length "
                  + length
                  + " in a page with "
                  + plain.remaining()
                  + " bytes left");
        }
        target.setSafe(index + k, plain, plain.position(), length);
        plain.position(plain.position() + length);
      }
      return;
    }
    int[] keys = keys(n);
    ids.read(keys, 0, n);
    try {
      for (int k = 0; k < n; k++) {
        byte[] value = binaryDictionary[keys[k]];
        target.setSafe(index + k, value, 0, value.length);
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      throw badId(n, binaryDictionary.length);
    }
  }

  private void writeKeys(ArrowBuf data, int index, int n) {
    int[] keys = keys(n);
    ids.read(keys, 0, n);
    // One bounds check for the run instead of one per value (Arrow checks every ArrowBuf access).
    long address = checkedAddress(data, (long) (index + n) * width) + (long) index * width;
    try {
      if (width == 8) {
        for (int k = 0; k < n; k++) {
          MemoryUtil.putLong(address + ((long) k << 3), dictionary[keys[k]]);
        }
      } else {
        for (int k = 0; k < n; k++) {
          MemoryUtil.putInt(address + ((long) k << 2), (int) dictionary[keys[k]]);
        }
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      throw badId(n, dictionary.length);
    }
  }

  /**
   * The error for a run whose ids reach beyond the dictionary, naming the column and the first bad
   * id; looked for only once the Java array's own bounds check has failed.
   */
  private DamagedColumnException badId(int n, int size) {
    int[] keys = scratch.keys;
    for (int k = 0; k < n; k++) {
      if (keys[k] < 0 || keys[k] >= size) {
        return new DamagedColumnException(
            name,
            "has dictionary id "
                + Integer.toUnsignedString(keys[k])
                + " in a dictionary of "
                + size
                + " values");
      }
    }
    return new DamagedColumnException(name, "has a bad dictionary id");
  }

  /** The address of {@code data} after checking it holds {@code bytes} bytes. */
  private static long checkedAddress(ArrowBuf data, long bytes) {
    if (bytes > data.capacity()) {
      throw new IndexOutOfBoundsException(
          "Vector buffer of " + data.capacity() + " bytes cannot hold " + bytes);
    }
    return data.memoryAddress();
  }

  private void copyPlain(ArrowBuf data, int index, int n) {
    int bytes = n * width;
    if (bytes > plain.remaining()) {
      throw new DamagedColumnException(
          name,
          "needs "
              + bytes
              + " bytes for "
              + n
              + " values in a page with "
              + plain.remaining()
              + " left");
    }
    ByteBuffer run = plain.duplicate();
    run.limit(run.position() + bytes);
    data.setBytes((long) index * width, run);
    plain.position(plain.position() + bytes);
    if (range != null) {
      range.check(data, index, n, name);
    }
  }

  private void nextPage() {
    DataPage next = pages.readPage();
    if (next == null) {
      throw new DamagedColumnException(name, "has fewer values than its row group");
    }
    pageRemaining = next.getValueCount();
    if (next instanceof DataPageV1 v1) {
      page = toByteBuffer(v1.getBytes());
      ByteBuffer bytes = page.slice().order(ByteOrder.LITTLE_ENDIAN);
      if (maxDefinition > 0) {
        if (v1.getDlEncoding() != Encoding.RLE) {
          throw new ParquetDecodingException(
              "Definition levels encoded as " + v1.getDlEncoding() + " are not supported");
        }
        int length = bytes.getInt(0);
        definitions = levels(slice(bytes, 4, length));
        bytes = slice(bytes, 4 + length, bytes.limit() - 4 - length);
      }
      values(v1.getValueEncoding(), bytes);
    } else {
      DataPageV2 v2 = (DataPageV2) next;
      if (maxDefinition > 0) {
        definitions = levels(toByteBuffer(v2.getDefinitionLevels()));
      }
      page = toByteBuffer(v2.getData());
      values(v2.getDataEncoding(), page.slice());
    }
  }

  private HybridRleDecoder levels(ByteBuffer bytes) {
    if (bytes.isDirect()) {
      scratch.levelsCopy = grown(scratch.levelsCopy, bytes.remaining());
      bytes = onHeap(bytes, scratch.levelsCopy);
    }
    return new HybridRleDecoder(definitionWidth, bytes.slice().order(ByteOrder.LITTLE_ENDIAN));
  }

  private void values(Encoding encoding, ByteBuffer bytes) {
    boolean runs = encoding == Encoding.PLAIN && !binary && !decimal;
    if (bytes.isDirect() && !runs) {
      scratch.valuesCopy = grown(scratch.valuesCopy, bytes.remaining());
      bytes = onHeap(bytes, scratch.valuesCopy);
    }
    if (encoding == Encoding.PLAIN) {
      plain = bytes.order(ByteOrder.LITTLE_ENDIAN);
      ids = null;
    } else if (encoding.usesDictionary() && (dictionary != null || binaryDictionary != null)) {
      int bitWidth = bytes.get(bytes.position()) & 0xFF;
      ids = new HybridRleDecoder(bitWidth, slice(bytes, 1, bytes.remaining() - 1));
      plain = null;
    } else {
      throw new DamagedColumnException(name, "has a page encoded as " + encoding);
    }
  }

  private ByteBuffer toByteBuffer(org.apache.parquet.bytes.BytesInput bytes) {
    try {
      return bytes.toByteBuffer();
    } catch (IOException e) {
      throw new DamagedColumnException(
          name, "has a page that cannot be read: " + e.getMessage(), e);
    }
  }

  /** The scratch array for {@code n} dictionary ids. */
  private int[] keys(int n) {
    if (scratch.keys.length < n) {
      scratch.keys = new int[n];
    }
    return scratch.keys;
  }

  private static byte[] grown(byte[] array, int size) {
    return array.length >= size ? array : new byte[Math.max(size, array.length * 2)];
  }

  /** The remaining bytes of {@code bytes} copied into {@code array}, as a buffer of just them. */
  private static ByteBuffer onHeap(ByteBuffer bytes, byte[] array) {
    int length = bytes.remaining();
    bytes.duplicate().get(array, 0, length);
    return ByteBuffer.wrap(array, 0, length).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer slice(ByteBuffer bytes, int from, int length) {
    ByteBuffer copy = bytes.duplicate();
    copy.position(bytes.position() + from);
    copy.limit(bytes.position() + from + length);
    return copy.slice().order(ByteOrder.LITTLE_ENDIAN);
  }
}
