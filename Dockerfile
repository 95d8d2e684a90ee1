# tenantlint as a small container image: one static binary on Alpine
# (about 10 MB; Alpine rather than `scratch` so that CI systems that run a
# shell script in the image, as GitLab does, can use it).
#
#   docker build -t tenantlint .
#   docker run --rm -v "$PWD:/src" tenantlint check .
#
# The release workflow (.github/workflows/release.yml) publishes it as
# ghcr.io/tenantlint/tenantlint:<version>, which the `tenantlint-docker`
# pre-commit hook runs. The working directory is /src: mount the repository
# there. There is no git in the image: `.gitignore` files are honoured as
# outside a git work tree.

FROM rust:1.89-alpine AS build
# musl-dev and gcc: the standard library and the C code of dependencies, so
# that the binary links statically against musl.
RUN apk add --no-cache musl-dev gcc
WORKDIR /build
COPY . .
RUN cargo build --release --locked --bin tenantlint \
 && strip target/release/tenantlint \
 && ./target/release/tenantlint --version

FROM alpine:3.22
COPY --from=build /build/target/release/tenantlint /usr/local/bin/tenantlint
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/tenantlint"]
CMD ["check", "."]
