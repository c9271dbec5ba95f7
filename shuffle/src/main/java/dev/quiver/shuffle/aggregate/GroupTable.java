package dev.quiver.shuffle.aggregate;

import dev.quiver.shuffle.key.KeyColumns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The distinct group keys seen so far, each with a dense id from 0.
 *
 * <p>Keys are appended to Arrow vectors of the key types, in id order, so the keys are already the
 * result's key columns; an open-addressing table of ids, with the hash of each group beside it,
 * finds a row's group. Without key columns there is exactly one group, id 0 (a global aggregate).
 */
final class GroupTable implements AutoCloseable {
  private final List<FieldVector> keys = new ArrayList<>();
  private int[] slots = new int[1024];
  private int[] hashes = new int[1024];

  /** For one 8-byte key: each group's value on the heap, and the id of the NULL group if any. */
  private long[] longKeys = new long[1024];

  /** For one 8-byte key: the value of the group in each slot, beside {@link #slots}. */
  private long[] slotKeys = new long[1024];

  private int nullGroup = -1;
  private final boolean singleLongKey;
  private int size;

  GroupTable(List<Field> keyFields, BufferAllocator allocator) {
    try {
      for (Field field : keyFields) {
        FieldVector vector = field.createVector(allocator);
        keys.add(vector);
        vector.allocateNew();
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    if (keys.isEmpty()) {
      size = 1;
    }
    singleLongKey =
        keys.size() == 1
            && keys.get(0) instanceof BaseFixedWidthVector fixed
            && !(fixed instanceof BitVector)
            && fixed.getTypeWidth() == 8;
  }

  /** Number of groups. */
  int size() {
    return size;
  }

  /** The key vectors, with {@link #size()} values once {@link #finishKeys()} ran. */
  List<FieldVector> keys() {
    return keys;
  }

  /** Sets the key vectors' value counts to the group count. */
  void finishKeys() {
    keys.forEach(k -> k.setValueCount(size));
  }

  /**
   * Writes the group id of rows {@code [0, rows)} of {@code batchKeys} into {@code ids}, adding
   * groups for keys not seen before.
   */
  void assign(List<FieldVector> batchKeys, int rows, int[] ids) {
    if (keys.isEmpty()) {
      Arrays.fill(ids, 0, rows, 0);
      return;
    }
    if (keys.size() == 1
        && batchKeys.get(0) instanceof BaseFixedWidthVector single
        && !(single instanceof BitVector)
        && single.getTypeWidth() == 8
        && single.getNullCount() == 0) {
      assignLongs(single, rows, ids);
      return;
    }
    int mask = slots.length - 1;
    for (int r = 0; r < rows; r++) {
      int hash = KeyColumns.hash(batchKeys, r);
      int slot = hash & mask;
      while (true) {
        int id = slots[slot] - 1;
        if (id < 0) {
          ids[r] = add(slot, batchKeys, r, hash);
          mask = slots.length - 1;
          break;
        }
        if (hashes[id] == hash && KeyColumns.equal(keys, id, batchKeys, r)) {
          ids[r] = id;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
  }

  /**
   * {@link #assign} for the most common key: one 8-byte column (BIGINT, DOUBLE, TIMESTAMP) without
   * nulls in this batch, compared and hashed as a long read straight from the buffers.
   */
  private void assignLongs(BaseFixedWidthVector batchKey, int rows, int[] ids) {
    long in = Memory.require(batchKey.getDataBuffer(), rows * 8L);
    List<FieldVector> batchKeys = List.of(batchKey);
    int mask = slots.length - 1;
    for (int r = 0; r < rows; r++) {
      long value = Memory.getLong(in, r);
      int hash = KeyColumns.hashOfSingleLong(value);
      int slot = hash & mask;
      while (true) {
        int id = slots[slot] - 1;
        if (id < 0) {
          ids[r] = add(slot, batchKeys, r, hash);
          mask = slots.length - 1;
          break;
        }
        if (hashes[id] == hash && longKeys[id] == value && id != nullGroup) {
          ids[r] = id;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
  }

  /**
   * Adds the key of {@code row} as a new group in the empty {@code slot}, growing the table when it
   * is half full (callers re-read the mask).
   *
   * @return the new group's id
   */
  private int add(int slot, List<FieldVector> batchKeys, int row, int hash) {
    int id = insert(batchKeys, row, hash);
    slots[slot] = id + 1;
    if (size * 2 > slots.length) {
      grow();
    }
    return id;
  }

  private int insert(List<FieldVector> batchKeys, int row, int hash) {
    int id = size;
    for (int k = 0; k < keys.size(); k++) {
      keys.get(k).copyFromSafe(row, id, batchKeys.get(k));
    }
    if (id == hashes.length) {
      hashes = Arrays.copyOf(hashes, hashes.length * 2);
      longKeys = Arrays.copyOf(longKeys, longKeys.length * 2);
    }
    if (singleLongKey) {
      FieldVector key = batchKeys.get(0);
      if (key.isNull(row)) {
        nullGroup = id;
      } else {
        longKeys[id] = key.getDataBuffer().getLong(row * 8L);
      }
    }
    hashes[id] = hash;
    size++;
    return id;
  }

  private void grow() {
    int[] larger = new int[slots.length * 2];
    int mask = larger.length - 1;
    for (int id = 0; id < size; id++) {
      int slot = hashes[id] & mask;
      while (larger[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      larger[slot] = id + 1;
    }
    slots = larger;
  }

  @Override
  public void close() {
    keys.forEach(FieldVector::close);
  }
}
