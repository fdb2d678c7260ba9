# The appliance image. Build stage: the README's build command in a pinned Maven + JDK 17 image. Runtime stage:
# a JRE 17 image with the app directory only, run as an unprivileged user.
FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, so editing sources does not download them again.
COPY pom.xml ./
COPY local-kafka/pom.xml local-kafka/
COPY local-s3/pom.xml local-s3/
COPY schema-registry-server/pom.xml schema-registry-server/
COPY common/pom.xml common/
COPY test-kit/pom.xml test-kit/
COPY schema-registry-client/pom.xml schema-registry-client/
COPY table-format/pom.xml table-format/
COPY ingest-engine/pom.xml ingest-engine/
COPY compaction/pom.xml compaction/
COPY web-console/pom.xml web-console/
# The Spark reader of the app's interop tests: built before app (it stays in the build stage, never in the image).
COPY peer-spark/pom.xml peer-spark/
# The Debezium source of the change-data-capture tests, likewise.
COPY peer-debezium/pom.xml peer-debezium/
COPY app/pom.xml app/
COPY benchmarks/pom.xml benchmarks/
RUN mvn -B -ntp -q -pl app -am dependency:go-offline -DexcludeGroupIds=dev.lakehouse || true
COPY . .
# -Dcds.skip: a class-data sharing archive only works on the JVM that recorded it, and the runtime stage's JRE is
# another build.
RUN mvn -B -ntp -q -pl app -am package -DskipTests -Dcds.skip

FROM eclipse-temurin:17.0.16_8-jre-noble
RUN groupadd --system --gid 10001 lakehouse \
 && useradd --system --uid 10001 --gid lakehouse --home-dir /opt/lakehouse --shell /usr/sbin/nologin lakehouse
COPY --from=build /src/app/target/lakehouse /opt/lakehouse
COPY deploy/lakehouse.yaml /etc/lakehouse/lakehouse.yaml
USER 10001:10001
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError"
# The web console, /metrics and /health/*.
EXPOSE 8080
ENTRYPOINT ["/opt/lakehouse/bin/lakehouse"]
CMD ["run", "--config", "/etc/lakehouse/lakehouse.yaml"]
