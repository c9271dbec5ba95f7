/** Hashing and equality of group-key rows read straight from Arrow buffers. */
package dev.quiver.shuffle.key;
