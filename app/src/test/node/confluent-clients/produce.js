// Produces orders in three formats through Confluent's own JavaScript serializers, registering every schema the way
// they do (Protobuf as a serialized FileDescriptorProto, with its import as a reference), and writes what it sent
// as JSON lines for the test to compare with the tables.
//
// usage: node produce.js <bootstrap servers> <registry url> <topic prefix> <records> <expected.jsonl>
'use strict';
const fs = require('fs');
const { Kafka, CompressionTypes, logLevel } = require('kafkajs');
// The client's own modules, as its package index exports them; the index also loads the cloud KMS drivers of
// client-side field encryption (AWS, Azure, GCP SDKs, which want Node 20), which these producers do not use.
const { SchemaRegistryClient } = require('@confluentinc/schemaregistry/dist/schemaregistry-client');
const { SerdeType } = require('@confluentinc/schemaregistry/dist/serde/serde');
const { AvroSerializer } = require('@confluentinc/schemaregistry/dist/serde/avro');
const { ProtobufSerializer, ProtobufDeserializer } = require('@confluentinc/schemaregistry/dist/serde/protobuf');
const { JsonSerializer } = require('@confluentinc/schemaregistry/dist/serde/json');
const { create, createFileRegistry, createMutableRegistry } = require('@bufbuild/protobuf');
const { FileDescriptorProtoSchema, file_google_protobuf_timestamp } = require('@bufbuild/protobuf/wkt');

const [bootstrap, registryUrl, prefix, countText, expectedFile] = process.argv.slice(2);
const count = Number(countText);
const registry = new SchemaRegistryClient({ baseURLs: [registryUrl] });
const BASE_MICROS = 1796292000000000; // 2026-12-01T10:00:00Z

/** A decimal's unscaled value as Avro's bytes: two's complement, big-endian, shortest form. */
function decimalBytes(unscaled) {
  let hex = (unscaled < 0n ? (1n << 128n) + unscaled : unscaled).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = Buffer.from(hex, 'hex');
  if (unscaled < 0n) bytes = bytes.subarray(bytes.length - 16);
  while (bytes.length > 1 && ((bytes[0] === 0 && !(bytes[1] & 0x80)) || (bytes[0] === 0xff && (bytes[1] & 0x80)))) {
    bytes = bytes.subarray(1);
  }
  if (unscaled >= 0n && (bytes[0] & 0x80)) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return bytes;
}

function scaled(unscaled, scale) {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return (negative ? '-' : '') + digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
}

const AVRO_ORDER = {
  type: 'record', name: 'Order', namespace: 'shop.avro', fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
    { name: 'weight', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 3 }], default: null },
    { name: 'created', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'address', type: ['null', { type: 'record', name: 'Address', fields: [
      { name: 'city', type: 'string' }, { name: 'zip', type: ['null', 'string'], default: null }] }], default: null },
  ],
};

const JSON_ORDER = {
  $schema: 'http://json-schema.org/draft-07/schema#', title: 'Order', type: 'object',
  properties: {
    id: { type: 'integer' },
    customer: { type: 'string' },
    created: { type: 'string', format: 'date-time' },
    total: { type: 'number' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'customer', 'created'],
};

/** Two files, as a user's build would have them: money.proto, imported by order.proto (a schema reference). */
function protobufOrder() {
  const money = create(FileDescriptorProtoSchema, {
    name: 'shop/money.proto', package: 'shop.money', syntax: 'proto3',
    messageType: [{ name: 'Money', field: [
      { name: 'currency', number: 1, type: 9, label: 1, jsonName: 'currency' },
      { name: 'units', number: 2, type: 3, label: 1, jsonName: 'units' },
      { name: 'nanos', number: 3, type: 5, label: 1, jsonName: 'nanos' }] }],
  });
  const order = create(FileDescriptorProtoSchema, {
    name: 'shop/order.proto', package: 'shop.proto', syntax: 'proto3',
    dependency: ['google/protobuf/timestamp.proto', 'shop/money.proto'],
    messageType: [
      { name: 'Customer', field: [{ name: 'name', number: 1, type: 9, label: 1, jsonName: 'name' }] },
      { name: 'Order', field: [
        { name: 'id', number: 1, type: 3, label: 1, jsonName: 'id' },
        { name: 'customer', number: 2, type: 11, label: 1, typeName: '.shop.proto.Customer', jsonName: 'customer' },
        { name: 'attributes', number: 3, type: 11, label: 3, typeName: '.shop.proto.Order.AttributesEntry',
          jsonName: 'attributes' },
        { name: 'created', number: 4, type: 11, label: 1, typeName: '.google.protobuf.Timestamp', jsonName: 'created' },
        { name: 'tags', number: 5, type: 9, label: 3, jsonName: 'tags' },
        { name: 'status', number: 6, type: 14, label: 1, typeName: '.shop.proto.Order.Status', jsonName: 'status' },
        { name: 'total', number: 7, type: 11, label: 1, typeName: '.shop.money.Money', jsonName: 'total' },
        { name: 'note', number: 8, type: 9, label: 1, proto3Optional: true, oneofIndex: 0, jsonName: 'note' }],
        oneofDecl: [{ name: '_note' }],
        nestedType: [{ name: 'AttributesEntry', options: { mapEntry: true }, field: [
          { name: 'key', number: 1, type: 9, label: 1, jsonName: 'key' },
          { name: 'value', number: 2, type: 9, label: 1, jsonName: 'value' }] }],
        enumType: [{ name: 'Status', value: [{ name: 'NEW', number: 0 }, { name: 'PAID', number: 1 },
          { name: 'SHIPPED', number: 2 }] }] }],
  });
  const files = createFileRegistry(money, (name) => undefined);
  const orderFiles = createFileRegistry(order, (name) => name === 'google/protobuf/timestamp.proto'
    ? file_google_protobuf_timestamp : files.getFile(name));
  return orderFiles.getMessage('shop.proto.Order');
}

async function main() {
  const kafka = new Kafka({ clientId: 'confluent-clients-test', brokers: bootstrap.split(','), logLevel: logLevel.WARN });
  const producer = kafka.producer();
  await producer.connect();
  const expected = [];

  // Avro: the schema registered first, the serializer using the latest version, as Confluent's README does.
  const avroTopic = prefix + '-avro';
  await registry.register(avroTopic + '-value', { schemaType: 'AVRO', schema: JSON.stringify(AVRO_ORDER) });
  const avro = new AvroSerializer(registry, SerdeType.VALUE, { useLatestVersion: true });
  // Protobuf: auto-registered by the serializer, the import as a reference (a subject of its own).
  const protoTopic = prefix + '-protobuf';
  const orderDesc = protobufOrder();
  const protobuf = new ProtobufSerializer(registry, SerdeType.VALUE,
    { autoRegisterSchemas: true, registry: createMutableRegistry(orderDesc) });
  // JSON Schema: auto-registered from the schema given to the serializer.
  const jsonTopic = prefix + '-json';
  await registry.register(jsonTopic + '-value', { schemaType: 'JSON', schema: JSON.stringify(JSON_ORDER) });
  const json = new JsonSerializer(registry, SerdeType.VALUE, { useLatestVersion: true });

  const batches = { [avroTopic]: [], [protoTopic]: [], [jsonTopic]: [] };
  for (let i = 0; i < count; i++) {
    const amount = BigInt(i * 7919 % 2000000) - 1000000n; // -10,000.00 .. 9,999.99
    const created = BASE_MICROS + i * 1000003;
    const avroValue = {
      id: i, customer: 'customer ' + (i % 97) + ' \u00e9\u00df\u{1F600}', amount: decimalBytes(amount),
      weight: i % 5 === 0 ? null : decimalBytes(BigInt(i * 31 % 100000)),
      created, day: 20000 + i % 400, tags: i % 3 === 0 ? [] : ['t' + (i % 7), 'u' + (i % 11)],
      address: i % 4 === 0 ? null : { city: 'city ' + (i % 13), zip: i % 8 === 1 ? null : String(10000 + i) },
    };
    batches[avroTopic].push({ key: String(i), value: await avro.serialize(avroTopic, avroValue) });
    expected.push({ format: 'avro', id: i, customer: avroValue.customer, amount: scaled(amount, 2),
      weight: avroValue.weight === null ? null : scaled(BigInt(i * 31 % 100000), 3), created, day: avroValue.day,
      tags: avroValue.tags, city: avroValue.address && avroValue.address.city,
      zip: avroValue.address && avroValue.address.zip });

    const seconds = Math.floor(created / 1000000);
    const protoValue = create(orderDesc, {
      id: BigInt(i), customer: { name: 'customer ' + (i % 97) },
      attributes: i % 2 === 0 ? { channel: 'web', region: 'r' + (i % 5) } : {},
      created: { seconds: BigInt(seconds), nanos: (created % 1000000) * 1000 },
      tags: ['t' + (i % 7)], status: i % 3,
      total: { currency: 'EUR', units: BigInt(i), nanos: 500000000 },
      ...(i % 2 === 0 ? { note: 'note ' + i } : {}),
    });
    batches[protoTopic].push({ key: String(i), value: await protobuf.serialize(protoTopic, protoValue) });
    expected.push({ format: 'protobuf', id: i, customer: 'customer ' + (i % 97),
      attributes: i % 2 === 0 ? { channel: 'web', region: 'r' + (i % 5) } : {}, created,
      tags: ['t' + (i % 7)], status: ['NEW', 'PAID', 'SHIPPED'][i % 3], currency: 'EUR', units: i,
      note: i % 2 === 0 ? 'note ' + i : null });

    const jsonValue = { id: i, customer: 'customer ' + (i % 97),
      created: new Date(created / 1000).toISOString().replace('Z', '+00:00'), total: i + 0.25,
      tags: ['t' + (i % 7)] };
    batches[jsonTopic].push({ key: String(i), value: await json.serialize(jsonTopic, jsonValue) });
    expected.push({ format: 'json', id: i, customer: jsonValue.customer,
      created: Math.floor(created / 1000) * 1000, total: jsonValue.total, tags: jsonValue.tags });
  }
  // The Protobuf serializer's schema reads back through the registry as Confluent's deserializer does it
  // (the registry serving the schema as a serialized descriptor).
  const back = await new ProtobufDeserializer(registry, SerdeType.VALUE, {})
    .deserialize(protoTopic, batches[protoTopic][1].value);
  if (back.id !== 1n || back.customer.name !== 'customer 1') {
    throw new Error('the Protobuf value does not read back: ' + JSON.stringify(back, (k, v) =>
      typeof v === 'bigint' ? v.toString() : v));
  }

  for (const [topic, messages] of Object.entries(batches)) {
    for (let start = 0; start < messages.length; start += 500) {
      await producer.send({ topic, compression: topic.endsWith('-json') ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: messages.slice(start, start + 500) });
    }
  }
  await producer.disconnect();
  fs.writeFileSync(expectedFile, expected.map((e) => JSON.stringify(e)).join('\n') + '\n');
  console.log('produced ' + count + ' records to each of ' + Object.keys(batches).join(', '));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
