package dev.quiver.server.clickbench;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.DuckDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A generated stand-in for ClickBench's {@code hits} table, written by DuckDB as Parquet: the
 * columns the 43 queries use (and a few more), with the names and types of ClickBench's {@code
 * duckdb/create.sql}, their values pseudo-random functions of the row number (DuckDB's {@code
 * hash}), so the same row count gives the same files.
 *
 * <pre>
 * root/one/hits/part-0.parquet .. part-3.parquet   one node: consecutive row ranges
 * root/node-0/hits/part-0.parquet, part-3.parquet  peer-local: file k on node k mod N
 * root/node-1/hits/part-1.parquet                  (links to the same files)
 * root/node-2/hits/part-2.parquet
 * </pre>
 *
 * <p>The values are skewed as in real hits, and shaped so that every query has rows to find at
 * 100,000 rows: most SearchPhrase, AdvEngineID and MobilePhoneModel values empty or zero; a few
 * heavy users, IPs, regions and URLs; URLs on google domains and titles naming Google for a
 * fraction; all events in July 2013; 40% of rows on CounterID 62 (Q36 to Q42's counter), half of
 * them with Q41's URLHash; 10% with Q40's RefererHash; one user with Q19's UserID; window sizes
 * spread wide enough that Q41's OFFSET 10000 still leaves groups. URLHash and RefererHash are
 * hashes of URL and Referer except where forced to those constants.
 *
 * <p>{@link #duckDb()} has a view {@code hits} over the one-node files: expected answers come from
 * the bytes Quiver reads.
 */
public final class ClickBenchData implements AutoCloseable {
  public static final String TABLE = "hits";

  /** The columns in the order of ClickBench's {@code CREATE TABLE hits}, a subset of its 105. */
  public static final List<String> COLUMNS =
      List.of(
          "WatchID",
          "JavaEnable",
          "Title",
          "GoodEvent",
          "EventTime",
          "EventDate",
          "CounterID",
          "ClientIP",
          "RegionID",
          "UserID",
          "OS",
          "UserAgent",
          "URL",
          "Referer",
          "IsRefresh",
          "ResolutionWidth",
          "MobilePhone",
          "MobilePhoneModel",
          "TraficSourceID",
          "SearchEngineID",
          "SearchPhrase",
          "AdvEngineID",
          "WindowClientWidth",
          "WindowClientHeight",
          "IsLink",
          "IsDownload",
          "DontCountHits",
          "SocialSourceNetworkID",
          "RefererHash",
          "URLHash");

  private static final int FILES = 4;

  /**
   * Row {@code i} of the table; {@code u(i, 'name')} is a uniform value in [0, 1) of its own for
   * each name, {@code skewed(i, 'name', n, p)} an index below {@code n} whose small values are
   * frequent (the larger {@code p}, the more). The inner query draws, the outer one derives.
   */
  private static final String ROWS =
      """
      SELECT i, WatchID, JavaEnable, Title, GoodEvent, EventTime, EventTime::DATE AS EventDate,
        CounterID, ClientIP, RegionID, UserID, OS, UserAgent, URL, Referer, IsRefresh,
        ResolutionWidth, MobilePhone, MobilePhoneModel, TraficSourceID,
        (CASE WHEN SearchPhrase <> '' THEN 1 + skewed(i, 'engine', 30, 2)
          WHEN u(i, 'engine') < 0.02 THEN 2 ELSE 0 END)::SMALLINT AS SearchEngineID,
        SearchPhrase, AdvEngineID, WindowClientWidth, WindowClientHeight, IsLink, IsDownload,
        DontCountHits, SocialSourceNetworkID,
        (CASE WHEN u(i, 'referer hash') < 0.1 THEN 3594120000172545465
          ELSE hash(Referer) >> 1 END)::BIGINT AS RefererHash,
        (CASE WHEN CounterID = 62 AND u(i, 'url hash') < 0.5 THEN 2868770270353813622
          ELSE hash(URL) >> 1 END)::BIGINT AS URLHash
      FROM (
        SELECT i,
          (hash(i, 'watch') >> 1)::BIGINT AS WatchID,
          (u(i, 'java') < 0.7)::SMALLINT AS JavaEnable,
          CASE WHEN u(i, 'title') < 0.03 THEN ''
            WHEN u(i, 'title') < 0.08 THEN 'Google: ' || list_element(WORDS, 1 + t % 12) || ' ' || t
            ELSE list_element(WORDS, 1 + t % 12) || ' - page ' || t END AS Title,
          1::SMALLINT AS GoodEvent,
          TIMESTAMP '2013-07-01 00:00:00'
            + to_seconds(floor(u(i, 'time') * 31 * 86400)::BIGINT) AS EventTime,
          (CASE WHEN u(i, 'counter') < 0.4 THEN 62
            ELSE 1 + floor(pow((u(i, 'counter') - 0.4) / 0.6, 4) * 5000) END)::INTEGER AS CounterID,
          ((hash(skewed(i, 'ip', 50000, 3), 'ip') % 2000000000)::BIGINT - 1000000000)::INTEGER AS ClientIP,
          skewed(i, 'region', 3000, 3)::INTEGER AS RegionID,
          (CASE WHEN skewed(i, 'user', USERS, 3) = 3 THEN 435090932899640449
            ELSE hash(skewed(i, 'user', USERS, 3), 'user') >> 1 END)::BIGINT AS UserID,
          skewed(i, 'os', 50, 2)::SMALLINT AS OS,
          skewed(i, 'agent', 60, 2)::SMALLINT AS UserAgent,
          CASE WHEN u(i, 'url') < 0.01 THEN ''
            ELSE 'http://' || list_element(DOMAINS, (1 + hash(p, 'domain') % 16)::BIGINT) || '/page/' || p
              || '.html' END AS URL,
          CASE WHEN u(i, 'referer') < 0.3 THEN ''
            ELSE 'https://' || CASE WHEN r % 2 = 0 THEN 'www.' ELSE '' END
              || list_element(DOMAINS, 1 + skewed(i, 'referer domain', 16, 2)) || '/from/' || r
            END AS Referer,
          (u(i, 'refresh') < 0.1)::SMALLINT AS IsRefresh,
          list_element([1920, 1366, 1280, 1024, 1440, 1600, 1680, 800, 0, 2560],
            1 + skewed(i, 'width', 10, 2))::SMALLINT AS ResolutionWidth,
          (CASE WHEN u(i, 'mobile') < 0.85 THEN 0 ELSE 1 + (m + (hash(i, 'phone') % 2)::BIGINT) % 10
            END)::SMALLINT AS MobilePhone,
          CASE WHEN u(i, 'mobile') < 0.85 THEN '' ELSE list_element(
            ['iPad', 'iPhone', 'GT-I9300', 'GT-N7100', 'Nexus 7', 'Lumia 920', 'HTC One', 'GT-P5100',
             'Xperia Z', 'MI-ONE'], 1 + m) END AS MobilePhoneModel,
          (CASE WHEN u(i, 'source') < 0.15 THEN -1 WHEN u(i, 'source') < 0.3 THEN 6
            ELSE floor((u(i, 'source') - 0.3) / 0.7 * 10) END)::SMALLINT AS TraficSourceID,
          CASE WHEN u(i, 'phrase') < 0.8 THEN ''
            ELSE list_element(WORDS, 1 + s % 12) || ' ' || list_element(WORDS, 1 + s // 12 % 12)
              || ' ' || s END AS SearchPhrase,
          (CASE WHEN u(i, 'adv') < 0.95 THEN 0
            ELSE 1 + floor(pow((u(i, 'adv') - 0.95) / 0.05, 2) * 30) END)::SMALLINT AS AdvEngineID,
          floor(u(i, 'window width') * 2000)::SMALLINT AS WindowClientWidth,
          floor(u(i, 'window height') * 1500)::SMALLINT AS WindowClientHeight,
          (u(i, 'link') < 0.1)::SMALLINT AS IsLink,
          (u(i, 'download') < 0.03)::SMALLINT AS IsDownload,
          (u(i, 'dont count') < 0.05)::SMALLINT AS DontCountHits,
          (CASE WHEN u(i, 'social') < 0.95 THEN 0 ELSE 1 + skewed(i, 'network', 10, 2)
            END)::SMALLINT AS SocialSourceNetworkID
        FROM (
          SELECT i, skewed(i, 'title words', 2000, 2) AS t, skewed(i, 'page', PAGES, 2) AS p,
            skewed(i, 'referer page', PAGES, 2) AS r, skewed(i, 'model', 10, 2) AS m,
            skewed(i, 'phrase words', PHRASES, 3) AS s
          FROM range(ROWS) t(i)))
      """;

  private final long rows;
  private final Path root;
  private final int nodes;
  private final DuckDb duckdb;

  private ClickBenchData(long rows, Path root, int nodes, DuckDb duckdb) {
    this.rows = rows;
    this.root = requireNonNull(root, "root is null");
    this.nodes = nodes;
    this.duckdb = requireNonNull(duckdb, "duckdb is null");
  }

  /**
   * Generates {@code rows} rows and writes both layouts under {@code root}, the peer-local one for
   * {@code nodes} nodes.
   */
  public static ClickBenchData generate(long rows, Path root, int nodes) {
    if (rows < FILES) {
      throw new IllegalArgumentException("Cannot generate hits with " + rows + " rows");
    }
    if (nodes < 1) {
      throw new IllegalArgumentException("Cannot lay hits out over " + nodes + " nodes");
    }
    DuckDb duckdb = new DuckDb();
    ClickBenchData data = new ClickBenchData(rows, root, nodes, duckdb);
    try {
      duckdb.execute("CREATE MACRO u(i, name) AS (hash(i, name) % 1000000) / 1000000.0");
      duckdb.execute("CREATE MACRO skewed(i, name, n, p) AS floor(pow(u(i, name), p) * n)::BIGINT");
      duckdb.execute(
          "CREATE TABLE generated_hits AS "
              + ROWS.replace("ROWS", Long.toString(rows))
                  .replace("USERS", Long.toString(Math.max(rows / 10, 10)))
                  .replace("PAGES", Long.toString(Math.max(rows / 2, 10)))
                  .replace("PHRASES", Long.toString(Math.max(rows / 50, 10)))
                  .replace(
                      "WORDS",
                      "['weather', 'news', 'cars', 'flights', 'recipes', 'football', 'movies',"
                          + " 'music', 'maps', 'jobs', 'books', 'games']")
                  .replace(
                      "DOMAINS",
                      "['yandex.ru', 'mail.ru', 'vk.com', 'www.google.com', 'avito.ru',"
                          + " 'news.yandex.ru', 'auto.ru', 'google.ru', 'ok.ru', 'lenta.ru',"
                          + " 'market.yandex.ru', 'maps.google.com', 'rbc.ru', 'kinopoisk.ru',"
                          + " 'livejournal.com', 'wikipedia.org']"));
      data.write();
      duckdb.execute("DROP TABLE generated_hits");
      duckdb.execute(
          "CREATE VIEW hits AS SELECT * FROM read_parquet('%s')".formatted(data.oneNodeFiles()));
      return data;
    } catch (RuntimeException e) {
      data.close();
      throw new IllegalStateException("Cannot generate hits with " + rows + " rows", e);
    }
  }

  public long rows() {
    return rows;
  }

  /** The one-node layout as a node's datasets: {@code hits} to its directory. */
  public Map<String, String> oneNode() {
    return Map.of(TABLE, root.resolve("one").resolve(TABLE).toString());
  }

  /** The peer-local layout as each node's datasets, node {@code i} at index {@code i}. */
  public List<Map<String, String>> peerLocal() {
    List<Map<String, String>> all = new ArrayList<>();
    for (int node = 0; node < nodes; node++) {
      all.add(Map.of(TABLE, nodeDirectory(node).toString()));
    }
    return all;
  }

  /** A glob of the one-node files, for DuckDB's read_parquet. */
  public String oneNodeFiles() {
    return root.resolve("one").resolve(TABLE) + "/*.parquet";
  }

  /** A glob of every node's files in the peer-local layout. */
  public String peerLocalFiles() {
    return root + "/node-*/" + TABLE + "/*.parquet";
  }

  /**
   * DuckDB with a view {@code hits} over the one-node files; it stays open until {@link #close}.
   */
  public DuckDb duckDb() {
    return duckdb;
  }

  @Override
  public void close() {
    try {
      duckdb.close();
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot close DuckDB", e);
    }
  }

  /** Consecutive row ranges, one per file; file k also on node k mod N, as a link. */
  private void write() {
    try {
      Path one = Files.createDirectories(root.resolve("one").resolve(TABLE));
      for (int node = 0; node < nodes; node++) {
        Files.createDirectories(nodeDirectory(node));
      }
      for (int file = 0; file < FILES; file++) {
        Path path = one.resolve("part-" + file + ".parquet");
        duckdb.writeParquet(
            "SELECT %s FROM generated_hits WHERE i >= %d AND i < %d ORDER BY i"
                .formatted(
                    String.join(", ", COLUMNS), rows * file / FILES, rows * (file + 1) / FILES),
            path,
            "");
        Files.createLink(nodeDirectory(file % nodes).resolve(path.getFileName()), path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path nodeDirectory(int node) {
    return root.resolve("node-" + node).resolve(TABLE);
  }
}
