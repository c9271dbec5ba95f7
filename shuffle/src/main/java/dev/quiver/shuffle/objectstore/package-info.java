/**
 * A node's shared-memory object store, after Plasma: immutable Arrow objects, each an Arrow IPC
 * file in a directory that other processes on the host can map (by default under {@code /dev/shm}).
 * An object is created, written, sealed, and immutable from then on; a {@code get} of an object
 * still being written waits until it is sealed; readers pin what they hold, and only unpinned
 * objects are evicted (least recently used first) or expire.
 */
package dev.quiver.shuffle.objectstore;
