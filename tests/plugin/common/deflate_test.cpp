#include "common/deflate.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vsso::deflate {
namespace {

std::string Sample() {
  std::string s;
  for (int i = 0; i < 200; ++i) {
    s += "<samlp:AuthnRequest ID=\"_" + std::to_string(i) + "\"/>\n";
  }
  for (int b = 0; b < 256; ++b) s.push_back(static_cast<char>(b));
  return s;
}

TEST(DeflateTest, RoundTripRestoresTheBytes) {
  const std::string input = Sample();
  auto packed = Compress(input);
  ASSERT_TRUE(packed) << packed.error().message;
  EXPECT_LT(packed->size(), input.size());
  auto unpacked = Inflate(*packed, input.size());
  ASSERT_TRUE(unpacked) << unpacked.error().message;
  EXPECT_EQ(*unpacked, input);
}

TEST(DeflateTest, EmptyInputRoundTrips) {
  auto packed = Compress("");
  ASSERT_TRUE(packed);
  auto unpacked = Inflate(*packed, 0);
  ASSERT_TRUE(unpacked) << unpacked.error().message;
  EXPECT_EQ(*unpacked, "");
}

// Produced by Python: zlib.compressobj(wbits=-15).compress(b"hello") + flush().
// Raw DEFLATE has no zlib header (0x78 ..) and no Adler-32 trailer.
TEST(DeflateTest, InflatesRawDeflateFromAnotherImplementation) {
  const std::string raw("\xcb\x48\xcd\xc9\xc9\x07\x00", 7);
  auto out = Inflate(raw, 100);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "hello");
  auto ours = Compress("hello");
  ASSERT_TRUE(ours);
  EXPECT_NE(static_cast<unsigned char>((*ours)[0]), 0x78) << "zlib header present";
}

TEST(DeflateTest, LimitIsInclusiveAndEnforced) {
  const std::string input(100000, 'a');
  auto packed = Compress(input);
  ASSERT_TRUE(packed);
  EXPECT_LT(packed->size(), 1000u);

  auto exact = Inflate(*packed, input.size());
  ASSERT_TRUE(exact) << exact.error().message;
  EXPECT_EQ(exact->size(), input.size());

  auto over = Inflate(*packed, input.size() - 1);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, "common.inflate_too_large");
  EXPECT_NE(over.error().message.find("99999"), std::string::npos) << over.error().message;
}

TEST(DeflateTest, TruncatedStreamIsReported) {
  auto packed = Compress(Sample());
  ASSERT_TRUE(packed);
  auto out = Inflate(packed->substr(0, packed->size() / 2), 1 << 20);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "common.inflate_truncated");
}

TEST(DeflateTest, EmptyInputIsTruncated) {
  auto out = Inflate("", 100);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "common.inflate_truncated");
}

TEST(DeflateTest, InvalidBlockTypeIsBadData) {
  // 0xff: BFINAL=1, BTYPE=11, a reserved block type (RFC 1951 3.2.3).
  auto out = Inflate("\xff\xff\xff", 100);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "common.inflate_bad_data");
}

TEST(DeflateTest, BytesAfterTheStreamAreRefused) {
  auto packed = Compress("hello");
  ASSERT_TRUE(packed);
  auto out = Inflate(*packed + "junk", 100);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "common.inflate_trailing_data");
  EXPECT_NE(out.error().message.find("4 bytes"), std::string::npos) << out.error().message;
}

TEST(DeflateTest, ZlibWrappedDataIsNotRawDeflate) {
  // zlib.compress(b"hello"): a 0x78 0x9c header makes it invalid raw DEFLATE.
  const std::string zlib("\x78\x9c\xcb\x48\xcd\xc9\xc9\x07\x00\x06\x2c\x02\x15", 13);
  auto out = Inflate(zlib, 100);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "common.inflate_bad_data");
}

}  // namespace
}  // namespace vsso::deflate
