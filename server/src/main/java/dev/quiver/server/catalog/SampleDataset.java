package dev.quiver.server.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashMap;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded sample: a taxi-trips-like table generated once, deterministically, so that a fresh
 * node has something real to serve. Trips are sorted by pickup time across files (one file per
 * month), so range filters on {@code pickup_at} can prune; tips are null for cash payments.
 */
public final class SampleDataset {
  public static final String NAME = "trips";
  private static final Logger LOG = LoggerFactory.getLogger(SampleDataset.class);
  private static final String MARKER = "_quiver_sample";

  /** Bumped whenever the generated data changes, so old copies are regenerated. */
  private static final int GENERATOR_VERSION = 2;

  private static final int FILES = 6;
  private static final LocalDate FIRST_DAY = LocalDate.of(2024, 1, 1);
  private static final String[] PAYMENTS = {
    "card", "card", "card", "cash", "cash", "app", "voucher"
  };
  private static final String[] BOROUGHS = {
    "Manhattan", "Brooklyn", "Queens", "Bronx", "Staten Island", "EWR", "Zürich Süd"
  };

  static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          """
          message trips {
            required int64 trip_id;
            required int32 vendor_id;
            required int64 pickup_at (TIMESTAMP(MICROS,true));
            required int32 pickup_date (DATE);
            optional int32 passenger_count;
            required double distance_km;
            required int64 fare (DECIMAL(12,2));
            optional double tip;
            required binary payment_type (STRING);
            required int32 pickup_zone;
            optional binary pickup_borough (STRING);
          }
          """);

  private SampleDataset() {}

  /**
   * Returns the sample's directory under {@code baseDir}, generating it first if it is missing or
   * was generated with another row count. Generation writes to a temporary folder and renames it,
   * so a crash never leaves half a dataset behind.
   */
  public static Path ensure(Path baseDir, int rows) {
    Path target = baseDir.resolve(NAME);
    String marker = "generator=" + GENERATOR_VERSION + " rows=" + rows + "\n";
    try {
      if (Files.isDirectory(target)
          && Files.exists(target.resolve(MARKER))
          && Files.readString(target.resolve(MARKER)).equals(marker)) {
        return target;
      }
      Files.createDirectories(baseDir);
      Path staging = Files.createTempDirectory(baseDir, ".staging-");
      LOG.info("Generating the sample dataset '{}' ({} rows) into {}", NAME, rows, target);
      long started = System.nanoTime();
      write(staging, rows);
      Files.writeString(staging.resolve(MARKER), marker, StandardCharsets.UTF_8);
      deleteRecursively(target);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      LOG.info("Generated the sample dataset in {} ms", (System.nanoTime() - started) / 1_000_000);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot generate the sample dataset in " + baseDir, e);
    }
  }

  private static void write(Path directory, int rows) throws IOException {
    SplittableRandom random = new SplittableRandom(20240101L);
    long startMicros = FIRST_DAY.atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
    long spanMicros = 182L * 86_400L * 1_000_000L;
    long tripId = 0;
    for (int file = 0; file < FILES; file++) {
      int fileRows = rows / FILES + (file < rows % FILES ? 1 : 0);
      Path path = directory.resolve(String.format("trips-2024-%02d.parquet", file + 1));
      try (ParquetWriter<Trip> writer =
          new TripWriterBuilder(new LocalOutputFile(path))
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withRowGroupSize(8L << 20)
              .withPageSize(1 << 20)
              .withDictionaryEncoding(true)
              .build()) {
        for (int i = 0; i < fileRows; i++) {
          long pickupMicros =
              startMicros + (long) ((double) spanMicros * tripId / Math.max(1, rows));
          writer.write(Trip.random(tripId, pickupMicros, random));
          tripId++;
        }
      }
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(path)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** One generated trip; null fields are {@code null}. */
  record Trip(
      long tripId,
      int vendorId,
      long pickupMicros,
      int pickupDay,
      Integer passengers,
      double distanceKm,
      long fareCents,
      Double tip,
      String payment,
      int zone,
      String borough) {

    static Trip random(long tripId, long pickupMicros, SplittableRandom random) {
      double distance =
          Math.round(random.nextDouble(0.3, 12.0) * random.nextDouble(0.5, 2.5) * 100) / 100.0;
      long fareCents = 300 + Math.round(distance * 175) + random.nextInt(0, 400);
      String payment = PAYMENTS[random.nextInt(PAYMENTS.length)];
      Double tip =
          payment.equals("cash")
              ? null
              : Math.round(fareCents * random.nextDouble(0, 0.25)) / 100.0;
      Integer passengers =
          random.nextInt(100) < 3
              ? null
              : 1 + (int) Math.min(5, Math.abs(random.nextGaussian()) * 1.5);
      int zone = 1 + (int) Math.min(264, Math.abs(random.nextGaussian()) * 60);
      String borough =
          random.nextInt(100) == 0 ? null : BOROUGHS[Math.min(BOROUGHS.length - 1, zone / 40)];
      int day = (int) Math.floorDiv(pickupMicros, 86_400_000_000L);
      return new Trip(
          tripId,
          1 + random.nextInt(6),
          pickupMicros,
          day,
          passengers,
          distance,
          fareCents,
          tip,
          payment,
          zone,
          borough);
    }
  }

  private static final class TripWriterBuilder
      extends ParquetWriter.Builder<Trip, TripWriterBuilder> {
    TripWriterBuilder(OutputFile file) {
      super(file);
    }

    @Override
    protected TripWriterBuilder self() {
      return this;
    }

    @Override
    protected WriteSupport<Trip> getWriteSupport(Configuration conf) {
      return new TripWriteSupport();
    }
  }

  private static final class TripWriteSupport extends WriteSupport<Trip> {
    private RecordConsumer out;

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(SCHEMA, new HashMap<>());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.out = recordConsumer;
    }

    @Override
    public void write(Trip trip) {
      out.startMessage();
      longField("trip_id", 0, trip.tripId());
      intField("vendor_id", 1, trip.vendorId());
      longField("pickup_at", 2, trip.pickupMicros());
      intField("pickup_date", 3, trip.pickupDay());
      if (trip.passengers() != null) {
        intField("passenger_count", 4, trip.passengers());
      }
      out.startField("distance_km", 5);
      out.addDouble(trip.distanceKm());
      out.endField("distance_km", 5);
      longField("fare", 6, trip.fareCents());
      if (trip.tip() != null) {
        out.startField("tip", 7);
        out.addDouble(trip.tip());
        out.endField("tip", 7);
      }
      stringField("payment_type", 8, trip.payment());
      intField("pickup_zone", 9, trip.zone());
      if (trip.borough() != null) {
        stringField("pickup_borough", 10, trip.borough());
      }
      out.endMessage();
    }

    private void longField(String name, int index, long value) {
      out.startField(name, index);
      out.addLong(value);
      out.endField(name, index);
    }

    private void intField(String name, int index, int value) {
      out.startField(name, index);
      out.addInteger(value);
      out.endField(name, index);
    }

    private void stringField(String name, int index, String value) {
      out.startField(name, index);
      out.addBinary(Binary.fromString(value));
      out.endField(name, index);
    }
  }
}
