package dev.quiver.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.convert.format.MapFormat;
import io.micronaut.core.convert.format.ReadableBytes;
import io.micronaut.core.naming.conventions.StringConvention;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a node is told: where to listen, what to serve, how much memory it may use.
 *
 * <p>Every property is {@code quiver.<name>} in {@code application.yml}, {@code QUIVER_<NAME>} in
 * the environment (e.g. {@code QUIVER_PORT=9000}, {@code QUIVER_DATASETS_TRIPS=/data/trips}) and a
 * flag of {@code quiver serve}.
 */
@ConfigurationProperties("quiver")
public class QuiverConfig {
  private String host;
  private boolean allowUnauthenticated;
  private int port = 8815;
  private String advertise;
  private Map<String, String> datasets = new LinkedHashMap<>();
  private Map<String, String> hadoop = new LinkedHashMap<>();
  private String coreSite;
  private Duration datasetTtl = Duration.ZERO;
  private boolean lazyFooters;
  private boolean strictDatasets;
  private String otlpEndpoint;
  private String otlpServiceName = "quiver";
  private Duration otlpExportDelay = Duration.ofSeconds(5);
  private Duration planningTimeout = Duration.ofSeconds(30);
  private int maxStreamsPerUser = 64;
  private long maxMessageBytes = 64L << 20;
  private String authJwks;
  private String authJwtIssuer;
  private String authJwtAudience;
  private String authJwtUserClaim = "sub";
  private String authJwtRolesClaim = "roles";
  private Map<String, String> authDatasets = new LinkedHashMap<>();
  private String authGrantsFile;
  private Duration ticketTtl = Duration.ofHours(1);
  private String peersDns;
  private Duration peersDnsInterval = Duration.ofSeconds(10);
  private int footerCacheFiles = 100_000;
  private List<String> peers = List.of();
  private long memoryLimit;
  private long streamMemoryLimit = 512L << 20;
  private int batchRows = 65_536;
  private long batchBytes = 8L << 20;
  private long splitBytes = 64L << 20;
  private Duration shutdownGrace = Duration.ofSeconds(10);
  private Duration clientTimeout = Duration.ofSeconds(60);
  private long queryMemoryLimit = 1L << 30;
  private long heapLimit;
  private long gatherThreshold = 4L << 20;
  private Duration peerTimeout = Duration.ofSeconds(60);
  private Duration fragmentTtl = Duration.ofMinutes(10);
  private List<String> sharedDatasets = List.of();
  private int scanThreads = Runtime.getRuntime().availableProcessors();
  private int concurrentScans = 2 * Runtime.getRuntime().availableProcessors();
  private String sampleDir = System.getProperty("user.home") + "/.quiver/sample";
  private int sampleRows = 3_000_000;
  private boolean spill = true;
  private int metricsPort = 9464;
  private long maxSqlBytes = 4L << 20;
  private int maxExpressionDepth = 200;
  private int maxExpressionNodes = 20_000;
  private boolean shm = true;
  private boolean descriptorExchange = true;
  private Duration admissionTimeout = Duration.ofSeconds(30);
  private String tlsCertChain;
  private String authUsersFile;
  private String authClusterSecret;
  private String tlsPrivateKey;
  private String tlsTrustedCertificates;
  private String shmDirectory =
      Files.isDirectory(Path.of("/dev/shm"))
          ? "/dev/shm/quiver"
          : System.getProperty("java.io.tmpdir") + "/quiver-shm";
  private long shmCapacity = 1L << 30;
  private Duration shmTtl = Duration.ofMinutes(10);
  private String spillDirectory = System.getProperty("java.io.tmpdir") + "/quiver-spill";

  /**
   * Interface to bind to: as configured, else {@code 0.0.0.0} (all) when callers authenticate and
   * {@code 127.0.0.1} when nobody does, so that a node started with no settings serves this machine
   * only.
   */
  public String getHost() {
    return host != null ? host : isAuth() ? "0.0.0.0" : "127.0.0.1";
  }

  /** Whether {@link #getHost()} was configured rather than chosen by default. */
  public boolean isHostConfigured() {
    return host != null;
  }

  /**
   * Whether the node may listen beyond loopback without authenticating its callers (a trusted
   * network): anyone who reaches the port then reads every dataset.
   */
  public boolean isAllowUnauthenticated() {
    return allowUnauthenticated;
  }

  public void setAllowUnauthenticated(boolean allowUnauthenticated) {
    this.allowUnauthenticated = allowUnauthenticated;
  }

  public void setHost(String host) {
    this.host = host;
  }

  /** Flight port; default 8815, 0 picks a free port (the bound port is logged). */
  public int getPort() {
    return port;
  }

  public void setPort(int port) {
    this.port = port;
  }

  /** The address peers and clients reach this node at, e.g. {@code grpc://node-0.quiver:8815}. */
  public String getAdvertise() {
    return advertise;
  }

  public void setAdvertise(String advertise) {
    this.advertise = advertise;
  }

  /** Dataset name to location: a Parquet file, a directory or a glob. Empty serves the sample. */
  public Map<String, String> getDatasets() {
    return datasets;
  }

  public void setDatasets(
      @MapFormat(
              transformation = MapFormat.MapTransformation.FLAT,
              keyFormat = StringConvention.RAW)
          Map<String, String> datasets) {
    this.datasets = new LinkedHashMap<>(datasets);
  }

  /**
   * Hadoop properties passed verbatim to the file systems of {@code s3a://}, {@code hdfs://} and
   * other non-local dataset locations: {@code quiver.hadoop.fs.s3a.endpoint} sets {@code
   * fs.s3a.endpoint}. They win over {@link #getCoreSite()}.
   */
  public Map<String, String> getHadoop() {
    return hadoop;
  }

  public void setHadoop(
      @MapFormat(
              transformation = MapFormat.MapTransformation.FLAT,
              keyFormat = StringConvention.RAW)
          Map<String, String> hadoop) {
    this.hadoop = new LinkedHashMap<>(hadoop);
  }

  /** A Hadoop {@code core-site.xml} read before {@link #getHadoop()}; none by default. */
  public String getCoreSite() {
    return coreSite;
  }

  public void setCoreSite(String coreSite) {
    this.coreSite = coreSite;
  }

  /**
   * How long a dataset's listing and footers are served before the next query reloads them; zero
   * (the default) keeps them until a {@code refresh-dataset} action or a restart.
   */
  public Duration getDatasetTtl() {
    return datasetTtl;
  }

  public void setDatasetTtl(Duration datasetTtl) {
    this.datasetTtl = datasetTtl;
  }

  /**
   * Whether a dataset's footers are read when a query first needs each file instead of all when the
   * dataset loads: a large catalog starts at once and partition pruning never opens pruned files,
   * but the schema is the first file's (plus partition columns).
   */
  public boolean isLazyFooters() {
    return lazyFooters;
  }

  public void setLazyFooters(boolean lazyFooters) {
    this.lazyFooters = lazyFooters;
  }

  /**
   * Whether a file in a dataset that is plainly not Parquet (a README, a CSV) fails the dataset
   * instead of being skipped with a warning.
   */
  public boolean isStrictDatasets() {
    return strictDatasets;
  }

  public void setStrictDatasets(boolean strictDatasets) {
    this.strictDatasets = strictDatasets;
  }

  /** With lazy footers, the most footers kept in memory; others are read again when needed. */
  public int getFooterCacheFiles() {
    return footerCacheFiles;
  }

  public void setFooterCacheFiles(int footerCacheFiles) {
    this.footerCacheFiles = footerCacheFiles;
  }

  /**
   * A DNS name whose addresses are the cluster's nodes (a Kubernetes headless Service), resolved
   * every {@link #getPeersDnsInterval()}: each address is a peer on this node's port. Added to
   * {@link #getPeers()}; none by default.
   */
  public String getPeersDns() {
    return peersDns;
  }

  public void setPeersDns(String peersDns) {
    this.peersDns = peersDns;
  }

  /** How often {@link #getPeersDns()} is resolved again. */
  public Duration getPeersDnsInterval() {
    return peersDnsInterval;
  }

  public void setPeersDnsInterval(Duration peersDnsInterval) {
    this.peersDnsInterval = peersDnsInterval;
  }

  /**
   * With authentication, how long a ticket handed to a client stays valid: tickets are signed and
   * bound to the user they were issued to.
   */
  public Duration getTicketTtl() {
    return ticketTtl;
  }

  public void setTicketTtl(Duration ticketTtl) {
    this.ticketTtl = ticketTtl;
  }

  /**
   * With authentication, the most streams one user may read from this node at once (a query reads
   * up to a few endpoints at a time); more is RESOURCE_EXHAUSTED. 0 for no limit.
   */
  public int getMaxStreamsPerUser() {
    return maxStreamsPerUser;
  }

  public void setMaxStreamsPerUser(int maxStreamsPerUser) {
    this.maxStreamsPerUser = maxStreamsPerUser;
  }

  /** The longest a call waits for its query's plan; longer is RESOURCE_EXHAUSTED. */
  public Duration getPlanningTimeout() {
    return planningTimeout;
  }

  public void setPlanningTimeout(Duration planningTimeout) {
    this.planningTimeout = planningTimeout;
  }

  /** The largest gRPC message the node accepts (a call, a ticket, a batch put by a peer). */
  public long getMaxMessageBytes() {
    return maxMessageBytes;
  }

  public void setMaxMessageBytes(@ReadableBytes long maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * An OTLP/HTTP collector ({@code http://otel-collector:4318}) that receives a span for every
   * Flight call, traced across nodes; none (the default) traces nothing.
   */
  public String getOtlpEndpoint() {
    return otlpEndpoint;
  }

  public void setOtlpEndpoint(String otlpEndpoint) {
    this.otlpEndpoint = otlpEndpoint;
  }

  /** The {@code service.name} of the node's spans. */
  public String getOtlpServiceName() {
    return otlpServiceName;
  }

  public void setOtlpServiceName(String otlpServiceName) {
    this.otlpServiceName = otlpServiceName;
  }

  /** How long finished spans wait in the batch before they are sent. */
  public Duration getOtlpExportDelay() {
    return otlpExportDelay;
  }

  public void setOtlpExportDelay(Duration otlpExportDelay) {
    this.otlpExportDelay = otlpExportDelay;
  }

  /** Other nodes of the cluster, as {@code grpc://host:port}. */
  public List<String> getPeers() {
    return peers;
  }

  public void setPeers(List<String> peers) {
    this.peers = List.copyOf(peers);
  }

  /** Limit of the root allocator in bytes (e.g. {@code 4GB}); 0 means the JVM's direct memory. */
  public long getMemoryLimit() {
    return memoryLimit;
  }

  public void setMemoryLimit(@ReadableBytes long memoryLimit) {
    this.memoryLimit = memoryLimit;
  }

  /** Limit of each stream's child allocator in bytes. */
  public long getStreamMemoryLimit() {
    return streamMemoryLimit;
  }

  public void setStreamMemoryLimit(@ReadableBytes long streamMemoryLimit) {
    this.streamMemoryLimit = streamMemoryLimit;
  }

  /** Most rows in one record batch on the wire. */
  public int getBatchRows() {
    return batchRows;
  }

  public void setBatchRows(int batchRows) {
    this.batchRows = batchRows;
  }

  /** The size a record batch aims at; rows per batch adapt to stay near it. */
  public long getBatchBytes() {
    return batchBytes;
  }

  public void setBatchBytes(@ReadableBytes long batchBytes) {
    this.batchBytes = batchBytes;
  }

  /** Compressed bytes of row groups per endpoint: the unit clients read in parallel. */
  public long getSplitBytes() {
    return splitBytes;
  }

  public void setSplitBytes(@ReadableBytes long splitBytes) {
    this.splitBytes = splitBytes;
  }

  /** How long shutdown lets in-flight streams finish before cancelling them. */
  public Duration getShutdownGrace() {
    return shutdownGrace;
  }

  public void setShutdownGrace(Duration shutdownGrace) {
    this.shutdownGrace = shutdownGrace;
  }

  /** How long a stream waits for a slow client to accept the next batch before failing. */
  public Duration getClientTimeout() {
    return clientTimeout;
  }

  public void setClientTimeout(Duration clientTimeout) {
    this.clientTimeout = clientTimeout;
  }

  /**
   * Limit of each query's allocator on each node, e.g. {@code 1GB}: partial and final groups of an
   * aggregation live there; a query that needs more fails with RESOURCE_EXHAUSTED.
   */
  public long getQueryMemoryLimit() {
    return queryMemoryLimit;
  }

  public void setQueryMemoryLimit(@ReadableBytes long queryMemoryLimit) {
    this.queryMemoryLimit = queryMemoryLimit;
  }

  /**
   * Heap bytes the queries of a node may reserve together for their hash tables, e.g. {@code
   * 256MB}; 0 (the default) means half the JVM's maximum heap ({@code -Xmx}). Each query slot gets
   * an equal share, half for its fragment and half for its coordinator; an aggregation whose
   * reservation is refused spills, as it does beyond its Arrow budget.
   */
  public long getHeapLimit() {
    return heapLimit > 0 ? heapLimit : Runtime.getRuntime().maxMemory() / 2;
  }

  public void setHeapLimit(@ReadableBytes long heapLimit) {
    this.heapLimit = heapLimit;
  }

  /**
   * Partial aggregation results up to this many Arrow bytes (over all nodes) are gathered on the
   * coordinator and merged there; larger ones are hash-shuffled to owner nodes.
   */
  public long getGatherThreshold() {
    return gatherThreshold;
  }

  public void setGatherThreshold(@ReadableBytes long gatherThreshold) {
    this.gatherThreshold = gatherThreshold;
  }

  /** How long one call to another node may take before the query fails with UNAVAILABLE. */
  public Duration getPeerTimeout() {
    return peerTimeout;
  }

  public void setPeerTimeout(Duration peerTimeout) {
    this.peerTimeout = peerTimeout;
  }

  /** How long a query's state may stay on a node before it is freed regardless. */
  public Duration getFragmentTtl() {
    return fragmentTtl;
  }

  public void setFragmentTtl(Duration fragmentTtl) {
    this.fragmentTtl = fragmentTtl;
  }

  /**
   * Datasets every node sees in full (a shared filesystem): the coordinator hands their row-group
   * splits out to the nodes. Datasets on hdfs://, s3a://, gs:// or abfs:// are shared anyway;
   * others are peer-local (each node scans its own files).
   */
  public List<String> getSharedDatasets() {
    return sharedDatasets;
  }

  public void setSharedDatasets(List<String> sharedDatasets) {
    this.sharedDatasets = List.copyOf(sharedDatasets);
  }

  /**
   * Whether aggregations whose groups outgrow a quarter of {@code query-memory-limit} spill to
   * {@code spill-directory} (default) rather than fail with RESOURCE_EXHAUSTED at the limit.
   */
  public boolean isSpill() {
    return spill;
  }

  public void setSpill(boolean spill) {
    this.spill = spill;
  }

  /**
   * Where aggregations spill: a local directory with room for a query's groups (compressed Arrow
   * IPC). Each node makes a directory of its own inside, deleted when it stops; each query's files
   * go when the query ends. Default: {@code <java.io.tmpdir>/quiver-spill}.
   */
  public String getSpillDirectory() {
    return spillDirectory;
  }

  public void setSpillDirectory(String spillDirectory) {
    this.spillDirectory = spillDirectory;
  }

  /**
   * Whether the node keeps a shared-memory object store, so that clients on its host can take a
   * query's answer as a memory-mapped Arrow file ({@code shm-*} actions); default true.
   */
  public boolean isShm() {
    return shm;
  }

  public void setShm(boolean shm) {
    this.shm = shm;
  }

  /**
   * Where the object store's files are: a RAM-backed directory clients on the host can read.
   * Default {@code /dev/shm/quiver} (else {@code <java.io.tmpdir>/quiver-shm}); each node makes its
   * own directory inside, deleted when it stops.
   */
  public String getShmDirectory() {
    return shmDirectory;
  }

  public void setShmDirectory(String shmDirectory) {
    this.shmDirectory = shmDirectory;
  }

  /**
   * Whether a shuffle partition for a peer on the same host (one that can read this node's object
   * store) is written once into shared memory and sent as a descriptor, the peer mapping it,
   * instead of streamed over Flight. Needs {@code shm}; default true.
   */
  public boolean isDescriptorExchange() {
    return descriptorExchange;
  }

  public void setDescriptorExchange(boolean descriptorExchange) {
    this.descriptorExchange = descriptorExchange;
  }

  /** Most bytes of objects the store holds; unpinned ones are evicted beyond. Default 1GB. */
  public long getShmCapacity() {
    return shmCapacity;
  }

  public void setShmCapacity(@ReadableBytes long shmCapacity) {
    this.shmCapacity = shmCapacity;
  }

  /**
   * How long an unpinned object stays unused before it is deleted, and how long a pin lasts if the
   * client never releases it. Default 10 minutes.
   */
  public Duration getShmTtl() {
    return shmTtl;
  }

  public void setShmTtl(Duration shmTtl) {
    this.shmTtl = shmTtl;
  }

  /**
   * PEM file of the node's certificate chain; with {@link #getTlsPrivateKey()}, the Flight port
   * speaks only TLS and the node advertises {@code grpc+tls://} locations.
   */
  public String getTlsCertChain() {
    return tlsCertChain;
  }

  public void setTlsCertChain(String tlsCertChain) {
    this.tlsCertChain = tlsCertChain;
  }

  /** PEM file of the node's private key (PKCS#8), for {@link #getTlsCertChain()}. */
  public String getTlsPrivateKey() {
    return tlsPrivateKey;
  }

  public void setTlsPrivateKey(String tlsPrivateKey) {
    this.tlsPrivateKey = tlsPrivateKey;
  }

  /**
   * PEM file of the CA certificates a node trusts when it calls its peers over TLS (the cluster's
   * own CA); default: the JVM's trust store.
   */
  public String getTlsTrustedCertificates() {
    return tlsTrustedCertificates;
  }

  public void setTlsTrustedCertificates(String tlsTrustedCertificates) {
    this.tlsTrustedCertificates = tlsTrustedCertificates;
  }

  /**
   * A password file ({@code name:bcrypt-hash} per line): when set, every call must authenticate, as
   * one of these users (Basic, then the bearer token the node returns) or as a peer.
   */
  public String getAuthUsersFile() {
    return authUsersFile;
  }

  public void setAuthUsersFile(String authUsersFile) {
    this.authUsersFile = authUsersFile;
  }

  /**
   * The secret a cluster's nodes authenticate each other with (the same on every node); needed with
   * {@link #getAuthUsersFile()} when the node has peers. Only nodes may make internal calls.
   */
  public String getAuthClusterSecret() {
    return authClusterSecret;
  }

  public void setAuthClusterSecret(String authClusterSecret) {
    this.authClusterSecret = authClusterSecret;
  }

  /**
   * The longest SQL text a node plans, in bytes; a longer one is INVALID_ARGUMENT. Default 4MB (a
   * 100,000-value IN list is about 700 KB).
   */
  public long getMaxSqlBytes() {
    return maxSqlBytes;
  }

  public void setMaxSqlBytes(@ReadableBytes long maxSqlBytes) {
    this.maxSqlBytes = maxSqlBytes;
  }

  /**
   * The most calls (clauses, operators, functions) a query nests in one another, and the deepest
   * its parentheses nest; deeper is INVALID_ARGUMENT before planning. A chain of ANDs or ORs is one
   * level. Default 200 (TPC-H and ClickBench queries nest at most about a dozen).
   */
  public int getMaxExpressionDepth() {
    return maxExpressionDepth;
  }

  public void setMaxExpressionDepth(int maxExpressionDepth) {
    this.maxExpressionDepth = maxExpressionDepth;
  }

  /**
   * The most calls, names and literals a query holds (the values of IN lists do not count); more is
   * INVALID_ARGUMENT before planning. Default 20,000 (an OR of 5,000 comparisons; TPC-H and
   * ClickBench queries hold at most a few hundred).
   */
  public int getMaxExpressionNodes() {
    return maxExpressionNodes;
  }

  public void setMaxExpressionNodes(int maxExpressionNodes) {
    this.maxExpressionNodes = maxExpressionNodes;
  }

  /**
   * The HTTP port Prometheus scrapes {@code /metrics} from, on the same host as the Flight port; 0
   * picks a free one, -1 serves none. Default 9464.
   */
  public int getMetricsPort() {
    return metricsPort;
  }

  public void setMetricsPort(int metricsPort) {
    this.metricsPort = metricsPort;
  }

  /** Whether the node authenticates its callers. */
  public boolean isAuth() {
    return authUsersFile != null && !authUsersFile.isBlank() || isJwt();
  }

  /** Whether JWT bearer tokens of an OIDC issuer are accepted. */
  public boolean isJwt() {
    return authJwks != null && !authJwks.isBlank();
  }

  /**
   * The OIDC issuer's JWKS: an https:// URL (fetched and cached) or a JSON file. With it, every
   * call must authenticate; a JWT bearer token it verifies names the user.
   */
  public String getAuthJwks() {
    return authJwks;
  }

  public void setAuthJwks(String authJwks) {
    this.authJwks = authJwks;
  }

  /** The {@code iss} every JWT must carry; required with {@link #getAuthJwks()}. */
  public String getAuthJwtIssuer() {
    return authJwtIssuer;
  }

  public void setAuthJwtIssuer(String authJwtIssuer) {
    this.authJwtIssuer = authJwtIssuer;
  }

  /** An {@code aud} every JWT must include; any when unset. */
  public String getAuthJwtAudience() {
    return authJwtAudience;
  }

  public void setAuthJwtAudience(String authJwtAudience) {
    this.authJwtAudience = authJwtAudience;
  }

  /** The JWT claim listing the user's roles (an array, or a space-separated string). */
  public String getAuthJwtRolesClaim() {
    return authJwtRolesClaim;
  }

  public void setAuthJwtRolesClaim(String authJwtRolesClaim) {
    this.authJwtRolesClaim = authJwtRolesClaim;
  }

  /**
   * Who may read a dataset, by dataset name: users, {@code role:NAME} (JWT roles) or {@code *},
   * comma-separated. A dataset without an entry is readable by every authenticated user.
   */
  public Map<String, String> getAuthDatasets() {
    return authDatasets;
  }

  public void setAuthDatasets(
      @MapFormat(
              transformation = MapFormat.MapTransformation.FLAT,
              keyFormat = StringConvention.RAW)
          Map<String, String> authDatasets) {
    this.authDatasets = new LinkedHashMap<>(authDatasets);
  }

  /**
   * A YAML file granting datasets to users and roles ({@code users: {ana: [trips]}, roles: {hr:
   * ["*"]}}); with one, a user reads only what it grants. Null: every authenticated user reads
   * every dataset (within {@link #getAuthDatasets()}).
   */
  public String getAuthGrantsFile() {
    return authGrantsFile;
  }

  public void setAuthGrantsFile(String authGrantsFile) {
    this.authGrantsFile = authGrantsFile;
  }

  /** The JWT claim naming the user ({@code sub}, or e.g. {@code preferred_username}). */
  public String getAuthJwtUserClaim() {
    return authJwtUserClaim;
  }

  public void setAuthJwtUserClaim(String authJwtUserClaim) {
    this.authJwtUserClaim = authJwtUserClaim;
  }

  /** Whether the Flight port speaks TLS. */
  public boolean isTls() {
    return tlsCertChain != null
        && !tlsCertChain.isBlank()
        && tlsPrivateKey != null
        && !tlsPrivateKey.isBlank();
  }

  /**
   * Whether nodes authenticate each other by certificate: TLS with a CA given, which must be the CA
   * that issued every node's certificate.
   */
  public boolean isMutualTls() {
    return isTls() && getTlsTrustedCertificates() != null && !getTlsTrustedCertificates().isBlank();
  }

  /**
   * How long a distributed query waits on a node for a query slot: a node runs at once as many
   * queries as {@code query-memory-limit} fits into {@code memory-limit}; more wait, and fail with
   * RESOURCE_EXHAUSTED after this. Default 30s.
   */
  public Duration getAdmissionTimeout() {
    return admissionTimeout;
  }

  public void setAdmissionTimeout(Duration admissionTimeout) {
    this.admissionTimeout = admissionTimeout;
  }

  /**
   * How many threads scan one aggregation's row groups on a node at once; default: the available
   * cores.
   */
  public int getScanThreads() {
    return scanThreads;
  }

  public void setScanThreads(int scanThreads) {
    this.scanThreads = scanThreads;
  }

  /**
   * How many scan streams ({@code DoGet} of a dataset split or a scan query) read Parquet at once;
   * more wait for a turn. Each holds a row group's column chunks and pages in direct buffers while
   * it reads, so this bounds that memory however many streams clients open. Default: twice the
   * available cores.
   */
  public int getConcurrentScans() {
    return concurrentScans;
  }

  public void setConcurrentScans(int concurrentScans) {
    this.concurrentScans = concurrentScans;
  }

  /** Where the embedded sample dataset is generated when no dataset is configured. */
  public String getSampleDir() {
    return sampleDir;
  }

  public void setSampleDir(String sampleDir) {
    this.sampleDir = sampleDir;
  }

  /** Rows of the generated sample dataset. */
  public int getSampleRows() {
    return sampleRows;
  }

  public void setSampleRows(int sampleRows) {
    this.sampleRows = sampleRows;
  }
}
