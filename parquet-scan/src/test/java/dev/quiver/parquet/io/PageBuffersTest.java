package dev.quiver.parquet.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class PageBuffersTest {
  @Test
  void anArrayGivenBackIsLentAgainForAPageItCanHoldWithoutWastingHalf() {
    PageBuffers pool = new PageBuffers(1 << 20);
    byte[] first = pool.take(1000);
    pool.giveBack(ByteBuffer.wrap(first, 0, 1000).slice());

    assertThat(pool.take(400)).isNotSameAs(first); // less than half of it would be used
    assertThat(pool.take(600)).isSameAs(first);
    assertThat(pool.keptBytes()).isZero();
    assertThat(pool.take(600)).isNotSameAs(first);
  }

  @Test
  void onlyArraysItLentAreTakenBackAndEachOnlyOnce() {
    PageBuffers pool = new PageBuffers(1 << 20);
    pool.giveBack(ByteBuffer.allocate(4096)); // a slice of a column chunk, say
    assertThat(pool.keptBytes()).isZero();

    byte[] lent = pool.take(4096);
    pool.giveBack(ByteBuffer.wrap(lent));
    pool.giveBack(ByteBuffer.wrap(lent));

    assertThat(pool.keptBytes()).isEqualTo(4096);
    assertThat(pool.take(4096)).isSameAs(lent);
    assertThat(pool.take(4096)).isNotSameAs(lent);
  }

  @Test
  void arraysGivenBackBeyondTheBoundAreLeftToTheCollector() {
    PageBuffers pool = new PageBuffers(5000);
    byte[] one = pool.take(4000);
    byte[] two = pool.take(4000);
    pool.giveBack(ByteBuffer.wrap(one));
    pool.giveBack(ByteBuffer.wrap(two));

    assertThat(pool.keptBytes()).isEqualTo(4000);
  }

  @Test
  void aSnappyPageIsExactlyItsSizeEvenInALongerArray() throws IOException {
    byte[] page = new byte[3000];
    for (int i = 0; i < page.length; i++) {
      page[i] = (byte) (i % 7);
    }
    var snappy = new PageCodecs(new NoOtherCodecs()).getDecompressor(CompressionCodecName.SNAPPY);
    byte[] longer = PageBuffers.SHARED.take(5000);
    PageBuffers.SHARED.giveBack(ByteBuffer.wrap(longer));

    ByteBuffer read =
        snappy.decompress(BytesInput.from(Snappy.compress(page)), page.length).toByteBuffer();

    assertThat(read.remaining()).isEqualTo(page.length);
    byte[] copy = new byte[read.remaining()];
    read.get(copy);
    assertThat(copy).isEqualTo(page);
  }

  @Test
  void aSnappyPageLongerThanItsHeaderSaysNamesBothSizes() throws IOException {
    var snappy = new PageCodecs(new NoOtherCodecs()).getDecompressor(CompressionCodecName.SNAPPY);
    BytesInput compressed = BytesInput.from(Snappy.compress(new byte[3000]));

    assertThatThrownBy(() -> snappy.decompress(compressed, 2000))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("3000")
        .hasMessageContaining("2000");
  }

  /** Only snappy is asked for here. */
  private static final class NoOtherCodecs
      implements org.apache.parquet.compression.CompressionCodecFactory {
    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
      throw new UnsupportedOperationException(codec.name());
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
      throw new UnsupportedOperationException(codec.name());
    }

    @Override
    public void release() {}
  }
}
