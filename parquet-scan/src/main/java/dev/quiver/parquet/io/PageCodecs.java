package dev.quiver.parquet.io;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Page decompression for reading: SNAPPY pages are decompressed from the column chunk's buffer
 * straight into the page's (direct to direct when the chunk is off the heap, as {@link
 * ChunkBuffers} makes it; array to array otherwise), every other codec by parquet-java's Hadoop
 * codecs.
 *
 * <p>Through the Hadoop codec a snappy page was copied into a direct buffer, decompressed into
 * another, then copied into a new array through a stream: two copies of every page, about a tenth
 * of an aggregation's CPU next to the decompression itself. The page's array comes from {@link
 * PageBuffers#SHARED}; the decoder that reads the page gives it back.
 */
public final class PageCodecs implements CompressionCodecFactory {
  private final CompressionCodecFactory others;

  /**
   * @param others decompresses every codec but SNAPPY; released with this factory
   */
  public PageCodecs(CompressionCodecFactory others) {
    this.others = requireNonNull(others, "others is null");
  }

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    return others.getCompressor(codec);
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    return codec == CompressionCodecName.SNAPPY
        ? SnappyPages.INSTANCE
        : others.getDecompressor(codec);
  }

  @Override
  public void release() {
    others.release();
  }

  /** Snappy, array to array; stateless, so one serves every reader. */
  static final class SnappyPages implements BytesInputDecompressor {
    static final SnappyPages INSTANCE = new SnappyPages();

    @Override
    public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
      ByteBuffer in = bytes.toByteBuffer();
      byte[] compressed;
      int offset;
      if (in.hasArray()) {
        compressed = in.array();
        offset = in.arrayOffset() + in.position();
      } else {
        compressed = new byte[in.remaining()];
        in.duplicate().get(compressed);
        offset = 0;
      }
      // The array may be longer than the page: snappy writes what its header says, so that must
      // be the page's size before it writes anything.
      checkSize(Snappy.uncompressedLength(compressed, offset, in.remaining()), uncompressedSize);
      byte[] out = PageBuffers.SHARED.take(uncompressedSize);
      checkSize(Snappy.uncompress(compressed, offset, in.remaining(), out, 0), uncompressedSize);
      return BytesInput.from(out, 0, uncompressedSize);
    }

    /**
     * Decompresses a page into {@code output} from its position on, and moves that position past
     * it: the path parquet-java takes when its buffers are direct ({@link ChunkBuffers}), where
     * snappy reads and writes native memory without a copy.
     */
    @Override
    public void decompress(
        ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
        throws IOException {
      ByteBuffer in = input.duplicate();
      in.limit(in.position() + compressedSize);
      if (output.remaining() < uncompressedSize) {
        throw new IOException(
            "A snappy page of "
                + uncompressedSize
                + " bytes does not fit the "
                + output.remaining()
                + " left in its buffer");
      }
      if (in.isDirect() && output.isDirect()) {
        // Snappy writes what its header says, so that must be the page's size first.
        checkSize(Snappy.uncompressedLength(in), uncompressedSize);
        ByteBuffer out = output.duplicate();
        checkSize(Snappy.uncompress(in, out), uncompressedSize);
      } else {
        byte[] compressed = new byte[compressedSize];
        in.get(compressed);
        checkSize(Snappy.uncompressedLength(compressed, 0, compressedSize), uncompressedSize);
        byte[] decompressed = new byte[uncompressedSize];
        Snappy.uncompress(compressed, 0, compressedSize, decompressed, 0);
        output.duplicate().put(decompressed);
      }
      output.position(output.position() + uncompressedSize);
    }

    private static void checkSize(int written, int uncompressedSize) throws IOException {
      if (written != uncompressedSize) {
        throw new IOException(
            "A snappy page decompressed to "
                + written
                + " bytes where its header says "
                + uncompressedSize);
      }
    }

    @Override
    public void release() {}
  }
}
