package dev.quiver.server.error;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerPathsTest {
  @Test
  void aPathOrStorageUriBecomesItsLastName() {
    assertThat(ServerPaths.redact("Cannot decode /data/quiver/t/u_int_plain.parquet, row group 3"))
        .isEqualTo("Cannot decode u_int_plain.parquet, row group 3");
    assertThat(ServerPaths.redact("Cannot read 'file:/srv/x/y/z.parquet': bad"))
        .isEqualTo("Cannot read 'z.parquet': bad");
    assertThat(ServerPaths.redact("Listing s3://bucket/prefix/year=2024/part-0.parquet failed"))
        .isEqualTo("Listing year=2024/part-0.parquet failed");
    assertThat(ServerPaths.redact("Cannot open hdfs://nn:8020/warehouse/t/a.parquet"))
        .isEqualTo("Cannot open a.parquet");
    assertThat(
            ServerPaths.redact("Cannot open s3a://scratch/t/part=0/data_0.parquet: it was deleted"))
        .isEqualTo("Cannot open part=0/data_0.parquet: it was deleted");
  }

  @Test
  void aVeryDeepPathInALongMessageTakesNoStack() {
    String deep = "/a".repeat(200_000) + "/x.parquet";
    assertThat(ServerPaths.redact("Cannot read " + deep + " now"))
        .isEqualTo("Cannot read x.parquet now");
  }

  @Test
  void nodeAddressesAndArithmeticStayAsTheyAre() {
    for (String kept :
        new String[] {
          "Peer grpc+tcp://127.0.0.1:8815 failed",
          "Cannot call grpc+tls://h1:8815: it is not a node of this cluster",
          "SUM(a)/COUNT(b) overflowed",
          "Division by zero in a / b",
        }) {
      assertThat(ServerPaths.redact(kept)).isEqualTo(kept);
    }
    assertThat(ServerPaths.redact(null)).isNull();
  }
}
