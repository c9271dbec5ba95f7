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
  void aReleasedBufferIsLentAgainForARequestItCanHold() {
    ChunkBuffers pool = new ChunkBuffers(1 << 20);
    ByteBuffer first = pool.allocate(1000);
    assertThat(first.remaining()).isEqualTo(1000);
    pool.release(first);

    ByteBuffer again = pool.allocate(600);

    assertThat(again.array()).isSameAs(first.array());
    assertThat(again.position()).isZero();
    assertThat(again.remaining()).isEqualTo(600);
    assertThat(pool.keptBytes()).isZero();
    assertThat(pool.allocate(600).array()).isNotSameAs(first.array());
  }

  @Test
  void aBufferReleasedTwiceIsKeptOnceSoNoTwoReadersShareIt() {
    ChunkBuffers pool = new ChunkBuffers(1 << 20);
    ByteBuffer buffer = pool.allocate(4096);
    pool.release(buffer);
    pool.release(buffer);

    ByteBuffer one = pool.allocate(4096);
    ByteBuffer two = pool.allocate(4096);

    assertThat(two.array()).isNotSameAs(one.array());
  }

  @Test
  void releasedBuffersBeyondTheBoundAreLeftToTheCollector() {
    ChunkBuffers pool = new ChunkBuffers(5000);
    pool.release(pool.allocate(4000));
    pool.release(pool.allocate(4000).duplicate());

    assertThat(pool.keptBytes()).isEqualTo(4000);
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
