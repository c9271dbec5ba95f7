package dev.quiver.parquet.decode;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.parquet.column.values.bitpacking.BytePacker;
import org.apache.parquet.column.values.bitpacking.Packer;
import org.apache.parquet.io.ParquetDecodingException;

/**
 * Parquet's RLE / bit-packing hybrid encoding (definition levels, dictionary ids), decoded many
 * values at a time: a repeated run fills the output with one value, a bit-packed run unpacks eight
 * values per call with parquet-column's generated unpackers.
 */
final class HybridRleDecoder {
  private final int bitWidth;
  private final ByteBuffer in;
  private final BytePacker packer;
  private final int[] unpacked = new int[8];

  private boolean repeated;
  private int runRemaining;
  private int runValue;
  private int unpackedPosition = 8;

  /**
   * @param in the encoded values from its position on, little-endian, no length prefix
   */
  HybridRleDecoder(int bitWidth, ByteBuffer in) {
    this.bitWidth = bitWidth;
    this.in = in;
    this.packer = Packer.LITTLE_ENDIAN.newBytePacker(bitWidth);
  }

  /** Decodes the next {@code n} values into {@code out[offset...]}. */
  void read(int[] out, int offset, int n) {
    int i = offset;
    int end = offset + n;
    while (i < end) {
      if (runRemaining == 0) {
        nextRun();
      }
      int take = Math.min(end - i, runRemaining);
      if (repeated) {
        Arrays.fill(out, i, i + take, runValue);
        i += take;
      } else {
        int k = 0;
        while (k < take && unpackedPosition < 8) {
          out[i++] = unpacked[unpackedPosition++];
          k++;
        }
        // Whole groups of eight unpack straight into the output.
        while (take - k >= 8 && bitWidth > 0 && in.hasArray() && in.remaining() >= bitWidth) {
          packer.unpack8Values(in.array(), in.arrayOffset() + in.position(), out, i);
          in.position(in.position() + bitWidth);
          i += 8;
          k += 8;
        }
        for (; k < take; k++) {
          if (unpackedPosition == 8) {
            unpackGroup();
          }
          out[i++] = unpacked[unpackedPosition++];
        }
      }
      runRemaining -= take;
    }
  }

  /**
   * Consumes up to {@code n} of the next values if they are a repeated run of {@code value} (the
   * common case of definition levels: a page without nulls is one run), without writing them out.
   *
   * @return how many were consumed; 0 when the next value is not part of such a run
   */
  int skipRepeated(int value, int n) {
    if (runRemaining == 0) {
      if (!in.hasRemaining()) {
        return 0;
      }
      nextRun();
    }
    if (!repeated || runValue != value) {
      return 0;
    }
    int taken = Math.min(n, runRemaining);
    runRemaining -= taken;
    return taken;
  }

  private void nextRun() {
    if (!in.hasRemaining()) {
      throw new ParquetDecodingException("RLE / bit-packed values end early");
    }
    int header = readUnsignedVarInt();
    if ((header & 1) == 0) {
      repeated = true;
      runRemaining = header >>> 1;
      int value = 0;
      int bytes = (bitWidth + 7) / 8;
      for (int b = 0; b < bytes; b++) {
        value |= (in.get() & 0xFF) << (8 * b);
      }
      runValue = value;
    } else {
      repeated = false;
      runRemaining = (header >>> 1) * 8;
      unpackedPosition = 8;
    }
  }

  private void unpackGroup() {
    if (bitWidth == 0) {
      Arrays.fill(unpacked, 0);
    } else {
      int available = in.remaining();
      if (available < bitWidth) {
        // The last group may be cut short; pad it with zeros.
        ByteBuffer padded = ByteBuffer.allocate(bitWidth);
        padded.put(in.duplicate());
        padded.flip();
        packer.unpack8Values(padded, 0, unpacked, 0);
        in.position(in.limit());
      } else if (in.hasArray()) {
        // The byte[] unpackers skip ByteBuffer's per-byte bounds checks.
        packer.unpack8Values(in.array(), in.arrayOffset() + in.position(), unpacked, 0);
        in.position(in.position() + bitWidth);
      } else {
        packer.unpack8Values(in, in.position(), unpacked, 0);
        in.position(in.position() + bitWidth);
      }
    }
    unpackedPosition = 0;
  }

  private int readUnsignedVarInt() {
    int value = 0;
    int shift = 0;
    int b;
    do {
      b = in.get() & 0xFF;
      value |= (b & 0x7F) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    return value;
  }
}
