package dev.quiver.shuffle.aggregate;

import dev.quiver.shuffle.key.KeyColumns;
import dev.quiver.shuffle.memory.HeapBudget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The distinct group keys seen so far, each with a dense id from 0.
 *
 * <p>Keys are appended to Arrow vectors of the key types, in id order, so the keys are already the
 * result's key columns; an open-addressing table of ids, with the hash of each group beside it,
 * finds a row's group. Without key columns there is exactly one group, id 0 (a global aggregate).
 *
 * <p>The table's heap arrays are reserved in a {@link HeapBudget} before they are allocated (both
 * the old and the new array while one grows into the other): a refused reservation throws Arrow's
 * {@code OutOfMemoryException} as a full allocator does, with the table as {@link #truncate} can
 * restore it.
 */
final class GroupTable implements AutoCloseable {
  private final List<FieldVector> keys = new ArrayList<>();
  private int[] slots = new int[1024];
  private int[] hashes = new int[1024];

  /** For one 8-byte key: each group's value on the heap, and the id of the NULL group if any. */
  private long[] longKeys = new long[1024];

  /** For one 8-byte key: the value of the group in each slot, beside {@link #slots}. */
  private long[] slotKeys = new long[1024];

  /**
   * For one integer key of 8 bytes whose values lie in a narrow range: the group id + 1 of value
   * {@code directBase + i} at index {@code i}, 0 for a value not seen yet; null until a batch's
   * values fit, or once they no longer do ({@link #directDisabled}).
   */
  private int[] direct;

  private long directBase;
  private boolean directDisabled;

  /** For one 8-byte key: the least and greatest value of a group (of groups ever added). */
  private long minKey = Long.MAX_VALUE;

  private long maxKey = Long.MIN_VALUE;

  /**
   * Groups {@code [0, indexed)} are in {@link #slots}; groups added through {@link #direct} after
   * them are not, until a lookup by hash needs them ({@link #index()}): a range of keys looked up
   * directly never pays for the hash table.
   */
  private int indexed;

  private int nullGroup = -1;
  private final boolean singleLongKey;
  private final boolean integerKey;
  private int size;
  private final HeapBudget heap;

  GroupTable(List<Field> keyFields, BufferAllocator allocator, HeapBudget heap) {
    this.heap = heap;
    heap.reserve(heapBytes());
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
    integerKey = singleLongKey && keyFields.get(0).getType() instanceof ArrowType.Int;
  }

  /** The widest range of key values looked up by index rather than by hash (4 MB of ids). */
  static final int DIRECT_RANGE = 1 << 20;

  /**
   * A range wider than {@link #SPARSE_FLOOR} is looked up directly only if the groups so far and
   * the batch's rows could fill one index in {@code DENSITY} (e.g. not one spill partition's keys,
   * a sixteenth of a range): the index array must not cost far more than the groups.
   */
  static final int DENSITY = 16;

  static final int SPARSE_FLOOR = 1 << 16;

  /**
   * The direct lookup table of {@link #direct}: index {@code value - directBase()} holds the group
   * id + 1 of {@code value}, 0 for a value without a group yet; null when keys are looked up by
   * hash. Only read between calls of {@link #assign}, which may replace it.
   */
  int[] directIds() {
    return direct;
  }

  long directBase() {
    return directBase;
  }

  /** Number of groups. */
  int size() {
    return size;
  }

  /** The key vectors, with {@link #size()} values once {@link #finishKeys()} ran. */
  List<FieldVector> keys() {
    return keys;
  }

  /** Bytes of the heap arrays that find a key's group (the keys themselves are Arrow vectors). */
  long heapBytes() {
    long bytes = 4L * (slots.length + hashes.length) + 8L * (longKeys.length + slotKeys.length);
    return direct == null ? bytes : bytes + 4L * direct.length;
  }

  /**
   * Forgets the groups from id {@code count} on, as if they had never been added. Safe for the
   * linear probing because every forgotten group was added after every kept one, into a slot that
   * was empty then: no kept group's probe passes through a forgotten group's slot.
   */
  void truncate(int count) {
    if (count >= size || keys.isEmpty()) {
      return;
    }
    for (int s = 0; s < slots.length; s++) {
      if (slots[s] > count) {
        slots[s] = 0;
      }
    }
    if (direct != null) {
      for (int i = 0; i < direct.length; i++) {
        if (direct[i] > count) {
          direct[i] = 0;
        }
      }
    }
    if (nullGroup >= count) {
      nullGroup = -1;
    }
    indexed = Math.min(indexed, count);
    size = count;
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
    index();
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
    int from = 0;
    if (direct != null) {
      // The usual batch: every value inside the table already built, checked row by row.
      from = assignDirectly(in, 0, rows, batchKeys, ids);
      if (from == rows) {
        return;
      }
    }
    if (integerKey && !directDisabled && from < rows && coverDirectly(in, from, rows)) {
      assignDirectly(in, from, rows, batchKeys, ids);
      return;
    }
    index();
    int mask = slots.length - 1;
    for (int r = from; r < rows; r++) {
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
   * Assigns rows {@code from} on through {@link #direct}, up to the first whose value lies outside
   * it.
   *
   * @return the first row not assigned: {@code rows} when all were
   */
  private int assignDirectly(long in, int from, int rows, List<FieldVector> batchKeys, int[] ids) {
    int[] direct = this.direct;
    long base = directBase;
    int length = direct.length;
    for (int r = from; r < rows; r++) {
      long value = Memory.getLong(in, r);
      // Outside the table, including a difference that overflows (it wraps negative).
      long offset = value - base;
      if (offset < 0 || offset >= length) {
        return r;
      }
      int index = (int) offset;
      int id = direct[index] - 1;
      if (id < 0) {
        // Every group of the table's range is in direct, so this key is new; insert adds it there.
        id = insert(batchKeys, r, 0);
      }
      ids[r] = id;
    }
    return rows;
  }

  /**
   * Makes {@link #direct} cover the batch's values from row {@code from} on if they and the values
   * seen so far lie within {@link #DIRECT_RANGE} of each other (otherwise turns the direct lookup
   * off for good), once they are dense enough.
   *
   * @return whether the batch can be looked up directly
   */
  private boolean coverDirectly(long in, int from, int rows) {
    assert from < rows : "no rows to cover";
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int r = from; r < rows; r++) {
      long value = Memory.getLong(in, r);
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    if (direct != null && min >= directBase && max <= directBase + direct.length - 1) {
      return true;
    }
    // The range covers every group's value too (some may have come by hash, with direct null).
    long low = Math.min(min, minKey);
    long high = Math.max(max, maxKey);
    long range = high - low;
    if (range >= DIRECT_RANGE || range < 0) {
      if (direct != null) {
        heap.release(4L * direct.length);
      }
      direct = null;
      directDisabled = true;
      return false;
    }
    if (range >= SPARSE_FLOOR && range / DENSITY > size + (long) (rows - from)) {
      return false; // too sparse for now: the hash table serves, until the groups fill the range
    }
    heap.reserve(4L * (high - low + 1));
    int[] covering = new int[(int) (high - low + 1)];
    for (int id = 0; id < size; id++) {
      if (id != nullGroup) {
        covering[(int) (longKeys[id] - low)] = id + 1; // every group lies within the new range
      }
    }
    if (direct != null) {
      heap.release(4L * direct.length);
    }
    direct = covering;
    directBase = low;
    return true;
  }

  /**
   * Puts the groups added through {@link #direct} since the last call into the hash table, so that
   * every group can be found by hash; their hashes are computed now.
   */
  private void index() {
    if (indexed == size) {
      return;
    }
    // Only a single integer key is looked up directly, so its value gives each new group's hash.
    for (int id = indexed; id < size; id++) {
      hashes[id] = KeyColumns.hashOfSingleLong(longKeys[id]);
    }
    int needed = slots.length;
    while (size * 2 > needed) {
      needed *= 2;
    }
    if (needed != slots.length) {
      heap.reserve(4L * needed);
      heap.release(4L * slots.length);
      slots = new int[needed];
      indexed = 0; // the larger table is filled from scratch
    }
    int mask = slots.length - 1;
    for (int id = indexed; id < size; id++) {
      int slot = hashes[id] & mask;
      while (slots[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      slots[slot] = id + 1;
    }
    indexed = size;
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
    indexed = size;
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
      long before = 4L * hashes.length + 8L * longKeys.length;
      heap.reserve(2 * before);
      hashes = Arrays.copyOf(hashes, hashes.length * 2);
      longKeys = Arrays.copyOf(longKeys, longKeys.length * 2);
      heap.release(before);
    }
    if (singleLongKey) {
      FieldVector key = batchKeys.get(0);
      if (key.isNull(row)) {
        nullGroup = id;
      } else {
        long value = key.getDataBuffer().getLong(row * 8L);
        longKeys[id] = value;
        minKey = Math.min(minKey, value);
        maxKey = Math.max(maxKey, value);
        if (direct != null) {
          // Keeps direct complete: every group whose value lies in its range is in it.
          long offset = value - directBase;
          if (offset >= 0 && offset < direct.length) {
            direct[(int) offset] = id + 1;
          }
        }
      }
    }
    hashes[id] = hash;
    size++;
    return id;
  }

  private void grow() {
    heap.reserve(8L * slots.length);
    int[] larger = new int[slots.length * 2];
    int mask = larger.length - 1;
    for (int id = 0; id < size; id++) {
      int slot = hashes[id] & mask;
      while (larger[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      larger[slot] = id + 1;
    }
    heap.release(4L * slots.length);
    slots = larger;
  }

  /** Closes the key vectors; the table's heap arrays are the caller's budget to close. */
  @Override
  public void close() {
    keys.forEach(FieldVector::close);
  }
}
