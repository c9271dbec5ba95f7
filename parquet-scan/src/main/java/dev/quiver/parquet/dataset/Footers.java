package dev.quiver.parquet.dataset;

import dev.quiver.parquet.storage.StorageReads;
import dev.quiver.parquet.storage.StoredFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Reads a Parquet footer with one read of the file's tail: the last {@value #TAIL_BYTES} bytes hold
 * the footer of nearly every file, so object storage answers with a single ranged request instead
 * of one for the length field and another for the footer. Bigger footers take a second read.
 */
final class Footers {
  static final int TAIL_BYTES = 64 * 1024;
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ENCRYPTED_MAGIC = "PARE".getBytes(StandardCharsets.US_ASCII);
  private static final ParquetMetadataConverter CONVERTER = new ParquetMetadataConverter();

  private Footers() {}

  /**
   * Reads the footer of {@code file}.
   *
   * @throws IOException if the file cannot be read or is not a Parquet file; the message says why
   */
  static ParquetMetadata read(StoredFile file, StorageReads reads) throws IOException {
    long length = file.length();
    if (length < 12) {
      throw new IOException("it is " + length + " bytes long, too short for a Parquet file");
    }
    InputFile input = file.open(reads);
    try (SeekableInputStream stream = input.newStream()) {
      int tailLength = (int) Math.min(length, TAIL_BYTES);
      byte[] tail = new byte[tailLength];
      stream.seek(length - tailLength);
      stream.readFully(tail);
      if (endsWith(tail, ENCRYPTED_MAGIC)) {
        throw new IOException("it is encrypted (PARE), which is not supported");
      }
      if (!endsWith(tail, MAGIC)) {
        throw new IOException(
            "it does not end with the Parquet magic PAR1 (truncated or not Parquet)");
      }
      long footerLength =
          Integer.toUnsignedLong(
              ByteBuffer.wrap(tail, tailLength - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
      if (footerLength + 12 > length) {
        throw new IOException(
            "its footer length " + footerLength + " does not fit in its " + length + " bytes");
      }
      byte[] footer;
      int offset;
      if (footerLength + 8 <= tailLength) {
        footer = tail;
        offset = (int) (tailLength - 8 - footerLength);
      } else {
        footer = new byte[(int) footerLength];
        offset = 0;
        stream.seek(length - 8 - footerLength);
        stream.readFully(footer);
      }
      return CONVERTER.readParquetMetadata(
          new ByteArrayInputStream(footer, offset, (int) footerLength),
          ParquetMetadataConverter.NO_FILTER);
    }
  }

  /**
   * Whether {@code file} ends with a Parquet magic, plain or encrypted: the one read that tells a
   * Parquet file from any other file.
   */
  static boolean looksLikeParquet(StoredFile file, StorageReads reads) throws IOException {
    long length = file.length();
    if (length < 12) {
      return false;
    }
    try (SeekableInputStream stream = file.open(reads).newStream()) {
      byte[] tail = new byte[MAGIC.length];
      stream.seek(length - tail.length);
      stream.readFully(tail);
      return endsWith(tail, MAGIC) || endsWith(tail, ENCRYPTED_MAGIC);
    }
  }

  private static boolean endsWith(byte[] bytes, byte[] magic) {
    for (int i = 0; i < magic.length; i++) {
      if (bytes[bytes.length - magic.length + i] != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
