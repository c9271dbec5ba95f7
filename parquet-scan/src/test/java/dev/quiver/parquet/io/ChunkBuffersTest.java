package dev.quiver.parquet.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.parquet.io.SeekableInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkBuffersTest {
  @Test
  void aReleasedBufferIsLentAgainForARequestOfItsSizeClass() {
    ChunkBuffers pool = new ChunkBuffers(1 << 20);
    ByteBuffer first = pool.allocate(10_000);
    assertThat(first.isDirect()).isTrue();
    assertThat(first.position()).isZero();
    assertThat(first.remaining()).isEqualTo(10_000);
    assertThat(first.capacity()).isEqualTo(10_240); // 1.25 * 8192
    first.position(500);
    pool.release(first);

    ByteBuffer again = pool.allocate(9_000);

    assertThat(again).isSameAs(first);
    assertThat(again.position()).isZero();
    assertThat(again.remaining()).isEqualTo(9_000);
    assertThat(pool.keptBytes()).isZero();
    assertThat(pool.allocate(9_000)).isNotSameAs(first);
  }

  @Test
  void aKeptBufferFarLargerThanTheRequestIsNotLent() {
    ChunkBuffers pool = new ChunkBuffers(1 << 30);
    ByteBuffer large = pool.allocate(8 << 20);
    pool.release(large);

    assertThat(pool.allocate(1 << 20)).isNotSameAs(large);
    assertThat(pool.allocate(7 << 20)).isSameAs(large); // the next class up
  }

  @Test
  void sizeClassesAreFourPerPowerOfTwo() {
    assertThat(ChunkBuffers.sizeClass(1)).isEqualTo(4096);
    assertThat(ChunkBuffers.sizeClass(4097)).isEqualTo(5120);
    assertThat(ChunkBuffers.sizeClass(4 << 20)).isEqualTo(4 << 20);
    assertThat(ChunkBuffers.sizeClass((4 << 20) + 1)).isEqualTo(5 << 20);
    assertThat(ChunkBuffers.sizeClass(5_567_045)).isEqualTo(6 << 20);
    assertThat(ChunkBuffers.sizeClass(8_011_809)).isEqualTo(8 << 20);
    for (int size = 1; size < 1 << 24; size = size * 3 / 2 + 7) {
      int capacity = ChunkBuffers.sizeClass(size);
      assertThat(capacity).isGreaterThanOrEqualTo(size);
      assertThat(ChunkBuffers.sizeClass(capacity)).isEqualTo(capacity);
      assertThat((long) capacity * 4).isLessThanOrEqualTo(Math.max(4096L * 4, size * 5L));
    }
  }

  @Test
  void aBufferReleasedTwiceIsKeptOnceSoNoTwoReadersShareIt() {
    ChunkBuffers pool = new ChunkBuffers(1 << 20);
    ByteBuffer buffer = pool.allocate(4096);
    pool.release(buffer);
    pool.release(buffer);

    ByteBuffer one = pool.allocate(4096);
    ByteBuffer two = pool.allocate(4096);

    assertThat(two).isNotSameAs(one);
  }

  @Test
  void releasedBuffersBeyondTheBoundOrNotLentByAPoolAreNotKept() {
    ChunkBuffers pool = new ChunkBuffers(5000);
    pool.release(pool.allocate(4000));
    pool.release(pool.allocate(4000));
    pool.release(ByteBuffer.allocate(4096));
    pool.release(ByteBuffer.allocateDirect(5000));

    assertThat(pool.keptBytes()).isEqualTo(4096);
  }

  @Test
  void aBufferReleasedBeyondTheBoundIsFreedAtOnce() {
    ChunkBuffers pool = new ChunkBuffers(5000);
    ByteBuffer kept = pool.allocate(4000);
    ByteBuffer freed = pool.allocate(4000);
    assertThat(pool.allocatedBytes()).isEqualTo(2 * 4096);

    pool.release(kept);
    pool.release(freed);

    assertThat(pool.keptBytes()).isEqualTo(4096);
    assertThat(pool.allocatedBytes()).isEqualTo(4096);
    pool.release(freed); // freed already: ignored
    assertThat(pool.allocatedBytes()).isEqualTo(4096);
  }

  @Test
  void aLeaseGivesBackOnCloseWhatItsReaderDidNotRelease() {
    ChunkBuffers pool = new ChunkBuffers(1 << 20);
    ByteBuffer released;
    try (ChunkBuffers.Lease lease = pool.lease()) {
      released = lease.allocate(10_000);
      lease.allocate(20_000); // a read that failed midway never releases this one
      lease.release(released);
      assertThat(lease.outstanding()).isEqualTo(1);
    }

    assertThat(pool.keptBytes()).isEqualTo(pool.allocatedBytes());
    assertThat(pool.keptBytes())
        .isEqualTo(ChunkBuffers.sizeClass(10_000) + ChunkBuffers.sizeClass(20_000));
    assertThat(pool.allocate(10_000)).isSameAs(released);
  }

  @Test
  void aFileIsReadWithPositionalReadsAndAShortFileNamesItself(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("data.bin");
    byte[] bytes = new byte[10_000];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    Files.write(file, bytes);
    NioInputFile input = new NioInputFile(file);
    assertThat(input.getLength()).isEqualTo(10_000);

    try (SeekableInputStream stream = input.newStream()) {
      stream.seek(9_000);
      ByteBuffer tail = ByteBuffer.allocate(1_000);
      stream.readFully(tail);
      assertThat(tail.array()[0]).isEqualTo((byte) 9_000);
      assertThat(stream.getPos()).isEqualTo(10_000);

      stream.seek(9_500);
      assertThatThrownBy(() -> stream.readFully(ByteBuffer.allocate(1_000)))
          .isInstanceOf(EOFException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("500 to read");
    }
  }
}
