# stormsim in a container: built with the Swift toolchain, run from a small image with the Swift runtime linked
# statically (the binary needs only the C library).
#   docker build -t stormsim .
#   docker run --rm -v "$PWD:/work" -w /work stormsim run scenarios/thundering-herd.json
FROM swift:6.0 AS build
WORKDIR /src
COPY Package.swift ./
COPY Sources Sources
RUN swift build -c release --static-swift-stdlib --product stormsim \
 && cp .build/release/stormsim /usr/local/bin/stormsim \
 && strip /usr/local/bin/stormsim

FROM debian:bookworm-slim
COPY --from=build /usr/local/bin/stormsim /usr/local/bin/stormsim
ENTRYPOINT ["stormsim"]
CMD ["--help"]
