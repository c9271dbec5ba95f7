package dev.quiver.client.cli;

import dev.quiver.client.Authentication;
import dev.quiver.client.BatchStream;
import dev.quiver.client.BearerToken;
import dev.quiver.client.Credentials;
import dev.quiver.client.DatasetInfo;
import dev.quiver.client.QuiverClient;
import dev.quiver.client.Tls;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The {@code quiver} command line: talks to a node with the client library. */
@Command(
    name = "quiver",
    mixinStandardHelpOptions = true,
    version = "quiver 0.1.0",
    description = "Reads Parquet datasets from a Quiver node over Arrow Flight.",
    subcommands = {
      QuiverCli.ListCommand.class,
      QuiverCli.SchemaCommand.class,
      QuiverCli.GetCommand.class,
      QuiverCli.SqlCommand.class,
      QuiverCli.QueriesCommand.class,
      QuiverCli.CancelCommand.class,
      ShellCommand.class
    })
public final class QuiverCli {
  static final int FAILURE = 1;

  @Option(
      names = "--server",
      defaultValue = "grpc://127.0.0.1:8815",
      description = "The node to talk to (default ${DEFAULT-VALUE}).",
      scope = CommandLine.ScopeType.INHERIT)
  URI server;

  @Option(
      names = "--tls",
      description = "Connect with TLS (grpc+tls://) even when --server says grpc://.",
      scope = CommandLine.ScopeType.INHERIT)
  boolean tls;

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      description = "PEM file of the CA certificates to trust (default: the system's).",
      scope = CommandLine.ScopeType.INHERIT)
  Path caCert;

  @Option(
      names = "--insecure-skip-verify",
      description = "Accept any server certificate (development only).",
      scope = CommandLine.ScopeType.INHERIT)
  boolean insecureSkipVerify;

  @Option(
      names = "--user",
      description = "User name for a node that authenticates its clients.",
      scope = CommandLine.ScopeType.INHERIT)
  String user;

  @Option(
      names = "--password",
      defaultValue = "${env:QUIVER_PASSWORD}",
      description =
          "Password of --user (default: the environment's QUIVER_PASSWORD, else a prompt).",
      scope = CommandLine.ScopeType.INHERIT)
  String password;

  @Option(
      names = "--token",
      defaultValue = "${env:QUIVER_TOKEN}",
      description =
          "Bearer token (an OIDC issuer's JWT) to send instead of --user (default: the"
              + " environment's QUIVER_TOKEN).",
      scope = CommandLine.ScopeType.INHERIT)
  String token;

  @Spec CommandSpec spec;

  /**
   * A client of the target, with the command line's TLS settings and credentials, its I/O on {@code
   * network}.
   */
  QuiverClient connect(BufferAllocator root, EventLoopGroup network) {
    BufferAllocator allocator = root.newChildAllocator("client", 0, Long.MAX_VALUE);
    Tls checks = new Tls(caCert, insecureSkipVerify);
    Authentication credentials = null;
    if (user != null) {
      credentials = new Credentials(user, password != null ? password : promptedPassword());
    } else if (token != null && !token.isBlank()) {
      credentials = new BearerToken(token);
    }
    return QuiverClient.connect(
        target(), allocator, QuiverClient.DEFAULT_PARALLELISM, checks, credentials, network);
  }

  /** The password of {@code --user}, asked on the terminal; empty without one. */
  private String promptedPassword() {
    java.io.Console console = System.console();
    if (console == null) {
      return "";
    }
    char[] typed = console.readPassword("Password for %s: ", user);
    return typed == null ? "" : new String(typed);
  }

  /** Where to connect: {@code --server}, made {@code grpc+tls://} by {@code --tls}. */
  URI target() {
    if (tls && "grpc".equals(server.getScheme())) {
      return URI.create("grpc+tls://" + server.getRawAuthority());
    }
    return server;
  }

  private final PrintStream out;
  private final PrintStream err;

  private QuiverCli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /**
   * Runs the command line with {@code out} and {@code err} as its terminal; returns the exit code.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine commandLine = new CommandLine(new QuiverCli(out, err));
    commandLine.setOut(new java.io.PrintWriter(out, true));
    commandLine.setErr(new java.io.PrintWriter(err, true));
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          QuiverCli cli = cmd.getCommandSpec().root().commandLine().getCommand();
          err.println(ErrorLine.of(e, cli.server));
          return FAILURE;
        });
    return commandLine.execute(args);
  }

  public static void main(String[] args) {
    StderrLogging.install();
    System.exit(run(args, System.out, System.err));
  }

  /** Common plumbing: one allocator for the process, a client on a child of it. */
  abstract static class ClientCommand implements Callable<Integer> {
    @ParentCommand QuiverCli parent;
    @Spec CommandSpec spec;

    /**
     * Runs the command with a client whose I/O threads end with it: the JVM exits right after, and
     * would wait 300 ms for gRPC's shared event loops (see {@link QuiverClient#connect(URI,
     * BufferAllocator, int, Tls, Authentication, EventLoopGroup)}).
     */
    @Override
    public Integer call() throws Exception {
      EventLoopGroup network =
          new NioEventLoopGroup(
              QuiverClient.DEFAULT_PARALLELISM, new DefaultThreadFactory("quiver-io", true));
      try (BufferAllocator root = new RootAllocator();
          QuiverClient client = parent.connect(root, network)) {
        return run(client, root);
      } finally {
        network.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
      }
    }

    PrintStream out() {
      return parent.out;
    }

    PrintStream err() {
      return parent.err;
    }

    abstract int run(QuiverClient client, BufferAllocator root) throws Exception;
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "list",
      description = "Lists the datasets a node serves.")
  static final class ListCommand extends ClientCommand {
    @Override
    int run(QuiverClient client, BufferAllocator root) {
      // Asked before the header is printed: an unreachable server prints its error alone.
      List<DatasetInfo> datasets = client.datasets();
      CatalogPrinter.datasets(datasets, out());
      return 0;
    }
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "queries",
      description =
          "Lists the streams clients are reading on every node of the cluster (yours only when"
              + " the nodes authenticate), with their id for quiver cancel.")
  static final class QueriesCommand extends ClientCommand {
    @Override
    int run(QuiverClient client, BufferAllocator root) {
      PrintStream out = out();
      String format = "%-28s %-8s %-12s %10s  %s%n";
      out.printf(format, "node", "id", "user", "elapsed", "what");
      for (com.fasterxml.jackson.databind.JsonNode query : client.action("queries")) {
        out.printf(
            format,
            query.path("node").asText(),
            query.path("id").asText(),
            query.path("user").asText(),
            String.format("%.1f s", query.path("elapsedMillis").asLong() / 1000.0),
            query.path("what").asText());
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "cancel",
      description = "Cancels a stream that quiver queries lists.")
  static final class CancelCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = "--node", description = "The node the stream runs on, as queries lists it.")
    String node;

    @Override
    int run(QuiverClient client, BufferAllocator root) {
      java.util.Map<String, String> body = new java.util.LinkedHashMap<>();
      body.put("id", id);
      if (node != null) {
        body.put("node", node);
      }
      com.fasterxml.jackson.databind.JsonNode reply = client.action("cancel-query", body);
      out()
          .println("cancelled " + reply.path("id").asText() + " on " + reply.path("node").asText());
      out().flush();
      return 0;
    }
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "schema",
      description = "Prints a dataset's columns and types.")
  static final class SchemaCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "DATASET")
    String dataset;

    @Override
    int run(QuiverClient client, BufferAllocator root) {
      CatalogPrinter.columns(client.schema(dataset), out());
      return 0;
    }
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "get",
      description = "Reads a dataset and prints or saves its rows.")
  static final class GetCommand extends OutputCommand {
    @Parameters(index = "0", paramLabel = "DATASET")
    String dataset;

    @Override
    BatchStream open(QuiverClient client) {
      return client.read(dataset);
    }
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "sql",
      description =
          "Runs SELECT <columns> FROM <dataset> [WHERE <condition>] [LIMIT n] and prints or saves"
              + " the rows.")
  static final class SqlCommand extends OutputCommand {
    @Parameters(index = "0", paramLabel = "QUERY")
    String query;

    @Option(
        names = "--stats",
        description = "Print the scan statistics (what was read and skipped) on stderr.")
    boolean stats;

    @Override
    BatchStream open(QuiverClient client) {
      return client.query(query);
    }

    /**
     * With progress shown, the query runs through PollFlightInfo so that an aggregation's progress
     * is drawn while the nodes work, before its answer streams.
     */
    @Override
    BatchStream open(QuiverClient client, Progress meter) {
      if (!meter.shown()) {
        return client.query(query);
      }
      try {
        return client.pollQuery(query, java.time.Duration.ofMillis(200), meter::running);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while the query ran", e);
      }
    }

    @Override
    void finished(BatchStream batches) {
      if (stats) {
        StatisticsPrinter.print(batches.statistics(), err());
      }
    }
  }

  /** A command that streams batches to an output format. */
  abstract static class OutputCommand extends ClientCommand {
    @Option(names = "--limit", description = "Stop after this many rows.")
    Long limit;

    @Option(
        names = "--format",
        defaultValue = "table",
        converter = FormatConverter.class,
        description =
            "table, csv, json (JSON lines) or arrow (IPC stream); default ${DEFAULT-VALUE}.")
    OutputFormat format;

    @Option(
        names = {"-o", "--output"},
        description = "Write to this file instead of standard output.")
    Path output;

    @Option(
        names = "--progress",
        negatable = true,
        description = "Show progress on stderr (default: when on a terminal).")
    Boolean progress;

    @Override
    int run(QuiverClient client, BufferAllocator root) throws IOException {
      if (limit != null && limit < 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--limit must not be negative: " + limit);
      }
      boolean showProgress = progress != null ? progress : System.console() != null;
      Progress meter = new Progress(showProgress ? err() : null);
      ResultPrinter printer = new ResultPrinter(format, limit == null ? Long.MAX_VALUE : limit);
      try (OutputStream sink =
              output == null
                  ? nonClosing(out())
                  : new BufferedOutputStream(Files.newOutputStream(output));
          BatchStream batches = open(client, meter)) {
        printer.print(batches, sink, root, meter);
        finished(batches);
      }
      return 0;
    }

    abstract BatchStream open(QuiverClient client);

    /** Opens the batches to write, drawing on {@code meter} while waiting if it wants to. */
    BatchStream open(QuiverClient client, Progress meter) {
      return open(client);
    }

    /** Called after the last batch was written. */
    void finished(BatchStream batches) {}

    private static OutputStream nonClosing(OutputStream out) {
      return new java.io.FilterOutputStream(out) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          flush();
        }
      };
    }
  }

  static final class FormatConverter implements CommandLine.ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String value) {
      try {
        return OutputFormat.valueOf(value.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "Unknown format '" + value + "'; formats are: table, csv, json, arrow");
      }
    }
  }
}
