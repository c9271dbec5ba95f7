package dev.quiver.server.demo;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import dev.quiver.client.cli.StatisticsPrinter;
import dev.quiver.client.cli.TableWriter;
import dev.quiver.server.QuiverServerMain;
import dev.quiver.server.catalog.SampleDataset;
import dev.quiver.server.config.QuiverConfig;
import dev.quiver.server.flight.FlightNode;
import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.arrow.flight.Location;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quiver demo}: starts three nodes in this process on free local ports, deals the sample's
 * files out to them (peer-local placement: each node has its own files and scans only those), runs
 * SUM ... GROUP BY queries through the first node as coordinator, prints the answers and what each
 * node did in each stage, and stops the nodes.
 */
@Command(
    name = "quiver demo",
    mixinStandardHelpOptions = true,
    description =
        "Runs a three-node local cluster on the sample data and a distributed SUM GROUP BY.")
public final class QuiverDemo implements Callable<Integer> {
  static final List<String> QUERIES =
      List.of(
          "SELECT pickup_borough, COUNT(*) AS trips, SUM(fare) AS fares, AVG(distance_km) AS avg_km"
              + " FROM trips GROUP BY pickup_borough ORDER BY fares DESC",
          "SELECT pickup_zone, SUM(fare) AS fares, MAX(tip) AS top_tip FROM trips"
              + " WHERE payment_type = 'card' GROUP BY pickup_zone ORDER BY fares DESC LIMIT 5");

  @Option(names = "--nodes", description = "Number of nodes (default 3).")
  int nodes = 3;

  @Option(names = "--sample-dir", description = "Where the sample dataset is generated.")
  String sampleDir = new QuiverConfig().getSampleDir();

  @Option(names = "--sample-rows", description = "Rows of the generated sample (default 3000000).")
  int sampleRows = new QuiverConfig().getSampleRows();

  @Option(names = "--sql", description = "Run this query instead of the built-in ones.")
  String sql;

  @Option(
      names = "--verbose",
      description =
          "Show the nodes' log lines (by default only warnings, so they do not cut into"
              + " the answers).")
  boolean verbose;

  private final PrintStream out;

  public QuiverDemo(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    Path sample = SampleDataset.ensure(Path.of(sampleDir), sampleRows);
    List<Path> shares = deal(sample, Path.of(sampleDir).resolve("demo-" + nodes + "-nodes"));
    List<ApplicationContext> contexts = new ArrayList<>();
    try {
      for (int n = 0; n < nodes; n++) {
        contexts.add(ApplicationContext.run(properties(shares.get(n))));
      }
      List<Location> members =
          contexts.stream().map(c -> c.getBean(FlightNode.class).cluster().self()).toList();
      contexts.forEach(c -> c.getBean(FlightNode.class).cluster().setPeers(members));
      out.printf("Started %d nodes: %s%n", nodes, members.stream().map(Location::getUri).toList());
      for (int n = 0; n < nodes; n++) {
        out.printf("  node %d serves %s%n", n, files(shares.get(n)));
      }
      URI coordinator = members.get(0).getUri();
      for (String query : sql == null ? QUERIES : List.of(sql)) {
        run(coordinator, query);
      }
      return 0;
    } finally {
      for (ApplicationContext context : contexts) {
        context.close();
      }
      out.printf("%nStopped the nodes.%n");
    }
  }

  private void run(URI coordinator, String query) throws Exception {
    out.printf("%n%s%n%n", query);
    try (QuiverClient client =
            QuiverClient.connect(URI.create("grpc://" + coordinator.getAuthority()));
        BatchStream stream = client.query(query)) {
      try (TableWriter table = new TableWriter(stream.schema(), out)) {
        while (stream.next()) {
          table.write(stream.root(), stream.root().getRowCount());
        }
      }
      out.println();
      StatisticsPrinter.print(stream.statistics(), out);
    }
  }

  private Map<String, Object> properties(Path share) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("quiver.host", "127.0.0.1");
    properties.put("quiver.port", 0);
    properties.put("quiver.datasets.trips", share.toString());
    properties.put("quiver.gather-threshold", "4KB");
    properties.put("quiver.shutdown-grace", "2s");
    properties.put("quiver.metrics-port", -1);
    return properties;
  }

  /**
   * Gives node {@code n} the sample files {@code n, n + nodes, ...}, linked into its own folder.
   */
  private List<Path> deal(Path sample, Path base) throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(sample)) {
      files = listing.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
    List<Path> shares = new ArrayList<>();
    for (int n = 0; n < nodes; n++) {
      Path share = Files.createDirectories(base.resolve("node-" + n));
      try (Stream<Path> old = Files.list(share)) {
        for (Path stale : old.toList()) {
          Files.delete(stale);
        }
      }
      for (int f = n; f < files.size(); f += nodes) {
        link(files.get(f), share.resolve(files.get(f).getFileName()));
      }
      shares.add(share);
    }
    return shares;
  }

  private static void link(Path file, Path link) throws IOException {
    try {
      Files.createLink(link, file);
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(file, link);
    }
  }

  private static List<String> files(Path share) {
    try (Stream<Path> listing = Files.list(share)) {
      return listing.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void main(String[] args) {
    if (!java.util.Arrays.asList(args).contains("--verbose")
        && System.getProperty("QUIVER_LOG_LEVEL") == null) {
      // The demo's own output is the point: the nodes' INFO lines would interleave with it.
      // Set before the first logger is made, which reads logback.xml.
      System.setProperty("QUIVER_LOG_LEVEL", "WARN");
    }
    QuiverServerMain.allowNettyUnzeroedChunks();
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(new CommandLine(new QuiverDemo(System.out)).execute(args));
  }
}
