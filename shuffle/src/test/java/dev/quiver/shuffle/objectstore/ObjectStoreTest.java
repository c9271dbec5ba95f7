package dev.quiver.shuffle.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.shuffle.objectstore.ObjectStoreException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The object store's life cycle, after Plasma: create, write, seal, get (waiting), pin, evict. */
class ObjectStoreTest {
  private static final Schema SCHEMA =
      new Schema(List.of(Field.nullable("v", new ArrowType.Int(64, true))));

  @TempDir Path temp;
  private BufferAllocator allocator;
  private ObjectStore store;

  @BeforeEach
  void open() {
    allocator = new RootAllocator();
    store = new ObjectStore(temp.resolve("shm"), 1 << 20, Duration.ofMinutes(1), allocator);
  }

  @AfterEach
  void closeCleanly() throws IOException {
    store.close();
    try (Stream<Path> left = Files.walk(temp.resolve("shm"))) {
      assertThat(left.filter(Files::isRegularFile)).as("files left after close").isEmpty();
    }
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void aGetWaitsUntilTheObjectIsSealedThenReadsWhatWasWritten() throws Exception {
    ObjectWriter writer = store.create(SCHEMA);
    CompletableFuture<SharedObject> get =
        CompletableFuture.supplyAsync(() -> store.get(writer.id(), Duration.ofSeconds(30)));
    write(writer, 0, 1000);
    assertThatThrownBy(() -> get.get(100, TimeUnit.MILLISECONDS))
        .as("still being written")
        .isInstanceOf(TimeoutException.class);
    write(writer, 1000, 500);
    SharedObject sealed = writer.seal();
    SharedObject got = get.get(30, TimeUnit.SECONDS);
    assertThat(got).isEqualTo(sealed);
    assertThat(got.rows()).isEqualTo(1500);
    assertThat(got.bytes()).isEqualTo(Files.size(Path.of(got.path())));
    assertThat(Path.of(got.path()).getParent()).isEqualTo(store.directory());
    assertThat(sum(Path.of(got.path()))).isEqualTo(1499L * 1500 / 2);
    store.release(got.id());
  }

  @Test
  void aFailedObjectTellsItsWaitersWhy() {
    ObjectWriter writer = store.create(SCHEMA);
    write(writer, 0, 10);
    writer.abort("the query failed: division by zero");
    assertThatThrownBy(() -> store.get(writer.id(), Duration.ofSeconds(1)))
        .isInstanceOf(ObjectStoreException.class)
        .hasMessageContaining("division by zero")
        .extracting(e -> ((ObjectStoreException) e).reason())
        .isEqualTo(Reason.FAILED);
  }

  @Test
  void aGetOfAnObjectNotSealedInTimeTimesOutAndOfAnUnknownOneIsNotFound() {
    try (ObjectWriter writer = store.create(SCHEMA)) {
      assertThatThrownBy(() -> store.get(writer.id(), Duration.ofMillis(50)))
          .extracting(e -> ((ObjectStoreException) e).reason())
          .isEqualTo(Reason.TIMEOUT);
    }
    assertThatThrownBy(() -> store.get("no-such-object", Duration.ofMillis(50)))
        .extracting(e -> ((ObjectStoreException) e).reason())
        .isEqualTo(Reason.NOT_FOUND);
  }

  @Test
  void unpinnedObjectsAreEvictedLeastRecentlyUsedFirstAndPinnedOnesNever() {
    // 1 MB of capacity; each object holds 50,000 longs (400 KB).
    String first = sealed(50_000);
    String second = sealed(50_000);
    store.get(second, Duration.ofSeconds(1)); // pinned, and now the most recently used
    String third = sealed(50_000);
    assertThat(ids()).doesNotContain(first).contains(second, third);
    store.get(third, Duration.ofSeconds(1));
    assertThatThrownBy(() -> sealed(50_000))
        .as("every object is pinned")
        .extracting(e -> ((ObjectStoreException) e).reason())
        .isEqualTo(Reason.FULL);
    store.release(second);
    String fourth = sealed(50_000);
    assertThat(ids()).contains(third, fourth).doesNotContain(second);
    assertThat(store.bytes()).isLessThanOrEqualTo(1 << 20);
  }

  @Test
  void unusedObjectsExpireAndLapsedPinsGoWithThem() throws Exception {
    try (ObjectStore quick =
        new ObjectStore(temp.resolve("quick"), 1 << 20, Duration.ofMillis(50), allocator)) {
      ObjectWriter writer = quick.create(SCHEMA);
      write(writer, 0, 10);
      String id = writer.seal().id();
      quick.get(id, Duration.ofSeconds(1));
      assertThat(quick.sweep()).as("pinned and just used").isZero();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (quick.count() > 0 && System.nanoTime() < deadline) {
        quick.sweep(); // the pin lapses and the object expires 50 ms after its last use
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      assertThat(quick.count()).isZero();
    }
  }

  @Test
  void theNonceFileHoldsTheNonceOnlyThisStoreAccepts() throws IOException {
    assertThat(Files.readString(store.nonceFile())).isEqualTo(store.nonce());
    assertThat(store.isNonce(store.nonce())).isTrue();
    assertThat(store.isNonce("0".repeat(32))).isFalse();
    assertThat(store.isNonce(null)).isFalse();
  }

  private String sealed(int rows) {
    ObjectWriter writer = store.create(SCHEMA);
    try {
      write(writer, 0, rows);
      return writer.seal().id();
    } catch (RuntimeException e) {
      writer.close();
      throw e;
    }
  }

  private List<String> ids() {
    try (Stream<Path> files = Files.list(store.directory())) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".arrow"))
          .map(n -> n.substring(0, n.length() - ".arrow".length()))
          .toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void write(ObjectWriter writer, long from, int rows) {
    try (VectorSchemaRoot batch = batch(from, rows)) {
      writer.write(batch);
    }
  }

  private VectorSchemaRoot batch(long from, int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
    BigIntVector v = (BigIntVector) root.getVector(0);
    v.allocateNew(rows);
    for (int r = 0; r < rows; r++) {
      v.set(r, from + r);
    }
    root.setRowCount(rows);
    return root;
  }

  private long sum(Path file) throws IOException {
    long sum = 0;
    try (ArrowFileReader reader = new ArrowFileReader(Files.newByteChannel(file), allocator)) {
      while (reader.loadNextBatch()) {
        BigIntVector v = (BigIntVector) reader.getVectorSchemaRoot().getVector(0);
        for (int r = 0; r < v.getValueCount(); r++) {
          sum += v.get(r);
        }
      }
    }
    return sum;
  }
}
