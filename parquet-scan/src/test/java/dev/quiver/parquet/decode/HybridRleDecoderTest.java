package dev.quiver.parquet.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our bulk decoder reads what parquet-column's encoder writes, runs and bit-packed groups alike.
 */
class HybridRleDecoderTest {
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 7, 8, 10, 13, 17, 20, 24, 31})
  void decodesWhatParquetEncodes(int bitWidth) throws Exception {
    Random random = new Random(bitWidth);
    int[] values = new int[10_007];
    long max = bitWidth == 0 ? 1 : 1L << bitWidth;
    for (int i = 0; i < values.length; ) {
      // Alternate long repeats (RLE runs) with noise (bit-packed groups).
      int value = (int) (random.nextLong() >>> 1) % (int) Math.min(max, Integer.MAX_VALUE);
      int repeat = random.nextBoolean() ? 1 : 1 + random.nextInt(40);
      for (int k = 0; k < repeat && i < values.length; k++) {
        values[i++] = Math.abs(value);
      }
    }
    RunLengthBitPackingHybridEncoder encoder =
        new RunLengthBitPackingHybridEncoder(bitWidth, 64, 1 << 20, new HeapByteBufferAllocator());
    for (int value : values) {
      encoder.writeInt(value);
    }
    ByteBuffer bytes = encoder.toBytes().toByteBuffer();
    HybridRleDecoder decoder = new HybridRleDecoder(bitWidth, bytes);
    int[] decoded = new int[values.length];
    int offset = 0;
    for (int chunk : new int[] {1, 7, 8, 100, 3_000}) {
      decoder.read(decoded, offset, chunk);
      offset += chunk;
    }
    decoder.read(decoded, offset, values.length - offset);
    assertThat(decoded).isEqualTo(values);
  }
}
