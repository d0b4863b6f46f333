// Interop check between DbxSync's hand-written storage client and Azure's official JS SDKs.
// usage: node storage-interop.mjs <verify|write> ; env: STORAGE_CONNECTION_STRING, INTEROP_CONTAINER, INTEROP_TABLE
// verify: reads what the C# client wrote (blob "from-dotnet.bin", entity pk "dotnet"/rk "row 1") and reports it.
// write:  writes blob "from-js.txt" and entity pk "js"/rk "row 'quoted'" for the C# client to read.
// Prints one JSON object on stdout; exits non-zero on failure.
import { BlobServiceClient } from "@azure/storage-blob";
import { TableClient } from "@azure/data-tables";
import { createHash } from "node:crypto";

const [mode] = process.argv.slice(2);
const connectionString = process.env.STORAGE_CONNECTION_STRING;
const containerName = process.env.INTEROP_CONTAINER;
const tableName = process.env.INTEROP_TABLE;
if (!connectionString || !containerName || !tableName || !["verify", "write"].includes(mode)) {
  console.error("usage: STORAGE_CONNECTION_STRING=... INTEROP_CONTAINER=... INTEROP_TABLE=... node storage-interop.mjs verify|write");
  process.exit(2);
}

const blobs = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(containerName);
const table = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });

async function verify() {
  const blob = blobs.getBlobClient("from-dotnet.bin");
  const properties = await blob.getProperties();
  const download = await blob.download();
  const hash = createHash("sha256");
  let length = 0;
  for await (const chunk of download.readableStreamBody) {
    hash.update(chunk);
    length += chunk.length;
  }
  const listed = [];
  for await (const item of blobs.listBlobsFlat({ includeMetadata: true })) listed.push(item.name);

  const entity = await table.getEntity("dotnet", "row 1", { disableTypeConversion: true });
  const typed = {};
  for (const [name, value] of Object.entries(entity)) {
    if (["odata.metadata", "etag", "timestamp", "partitionKey", "rowKey"].includes(name)) continue;
    typed[name] = typeof value === "object" && value !== null ? { value: value.value, type: value.type } : value;
  }
  return {
    blob: { length, sha256: hash.digest("hex"), contentType: properties.contentType, metadata: properties.metadata, listed },
    entity: typed,
  };
}

async function write() {
  const content = "hello from the js sdk, ünïcode included\n";
  await blobs.getBlockBlobClient("from-js.txt").upload(content, Buffer.byteLength(content), {
    blobHTTPHeaders: { blobContentType: "text/plain" },
    metadata: { origin: "js" },
  });
  await table.upsertEntity({
    partitionKey: "js",
    rowKey: "row 'quoted'",
    Text: "ünïcode",
    Int32: 42,
    Int64: { value: "9007199254740993", type: "Int64" },
    Double: { value: "1.0", type: "Double" },
    Flag: true,
    When: new Date("2026-01-02T03:04:05.678Z"),
    Id: { value: "6f9619ff-8b86-d011-b42d-00c04fc964ff", type: "Guid" },
    Bytes: new Uint8Array([0, 1, 2, 254, 255]),
  }, "Replace");
  return { written: true, blobSha256: createHash("sha256").update(content).digest("hex") };
}

try {
  const result = mode === "verify" ? await verify() : await write();
  console.log(JSON.stringify(result));
} catch (error) {
  console.error(String(error?.stack ?? error));
  process.exit(1);
}
