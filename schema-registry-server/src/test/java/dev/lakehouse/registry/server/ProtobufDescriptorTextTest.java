package dev.lakehouse.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumOptions;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileOptions;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ProtobufDescriptorTextTest {

    private static FieldDescriptorProto.Builder field(String name, int number, Type type, Label label) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type).setLabel(label);
    }

    @Test
    void aProto2DescriptorKeepsItsLabelsDefaultsOptionsAndEnumsThroughTextAndBack() throws Exception {
        FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("legacy.proto").setPackage("legacy")
                .setOptions(FileOptions.newBuilder().setJavaPackage("com.example.legacy").setJavaMultipleFiles(true))
                .addMessageType(DescriptorProto.newBuilder().setName("Item")
                        .addField(field("sku", 1, Type.TYPE_STRING, Label.LABEL_REQUIRED))
                        .addField(field("note", 2, Type.TYPE_STRING, Label.LABEL_OPTIONAL)
                                .setDefaultValue("say \"hi\"\n"))
                        .addField(field("count", 3, Type.TYPE_INT32, Label.LABEL_OPTIONAL).setDefaultValue("7"))
                        .addField(field("codes", 4, Type.TYPE_SINT64, Label.LABEL_REPEATED)
                                .setOptions(FieldOptions.newBuilder().setPacked(true)))
                        .addField(field("unit_price", 5, Type.TYPE_DOUBLE, Label.LABEL_OPTIONAL)
                                .setJsonName("price"))
                        .addField(field("kind", 6, Type.TYPE_ENUM, Label.LABEL_OPTIONAL).setTypeName(".legacy.Kind")
                                .setDefaultValue("BOOK")))
                .addEnumType(EnumDescriptorProto.newBuilder().setName("Kind")
                        .setOptions(EnumOptions.newBuilder().setAllowAlias(true))
                        .addValue(EnumValueDescriptorProto.newBuilder().setName("BOOK").setNumber(0))
                        .addValue(EnumValueDescriptorProto.newBuilder().setName("VOLUME").setNumber(0))
                        .addValue(EnumValueDescriptorProto.newBuilder().setName("DISC").setNumber(1)))
                .build();

        String text = ProtobufDescriptorText.render(file);

        assertThat(text).contains("syntax = \"proto2\";", "option java_package = \"com.example.legacy\";",
                "required string sku = 1;", "optional string note = 2 [default = \"say \\\"hi\\\"\\n\"];",
                "optional int32 count = 3 [default = 7];", "repeated sint64 codes = 4 [packed = true];",
                "optional double unit_price = 5 [json_name = \"price\"];", "option allow_alias = true;");
        // Stored as Wire parses it, and served back as a descriptor protobuf-java builds with the same meaning.
        String stored = SchemaType.PROTOBUF.canonical(Base64.getEncoder().encodeToString(file.toByteArray()));
        FileDescriptor served = FileDescriptor.buildFrom(ProtobufDescriptors.descriptor("legacy.proto", stored,
                name -> null), new FileDescriptor[0]);
        var item = served.findMessageTypeByName("Item");
        assertThat(item.findFieldByName("sku").isRequired()).isTrue();
        assertThat(item.findFieldByName("note").getDefaultValue()).isEqualTo("say \"hi\"\n");
        assertThat(item.findFieldByName("count").getDefaultValue()).isEqualTo(7);
        assertThat(item.findFieldByName("codes").isPacked()).isTrue();
        assertThat(item.findFieldByName("unit_price").getJsonName()).isEqualTo("price");
        assertThat(item.findFieldByName("kind").getEnumType().findValueByName("DISC").getNumber()).isEqualTo(1);
        assertThat(served.getOptions().getJavaPackage()).isEqualTo("com.example.legacy");
    }

    @Test
    void whatAProtoFileOfThisRegistryCannotSayIsRefusedNamingIt() {
        FileDescriptorProto editions = FileDescriptorProto.newBuilder().setName("new.proto").setSyntax("editions")
                .addMessageType(DescriptorProto.newBuilder().setName("M")).build();
        assertThatThrownBy(() -> ProtobufDescriptorText.render(editions)).isInstanceOf(RegistryError.class)
                .hasMessageContaining("syntax 'editions'");
        FileDescriptorProto group = FileDescriptorProto.newBuilder().setName("g.proto")
                .addMessageType(DescriptorProto.newBuilder().setName("M")
                        .addField(field("Result", 1, Type.TYPE_GROUP, Label.LABEL_OPTIONAL).setTypeName(".M.Result"))
                        .addNestedType(DescriptorProto.newBuilder().setName("Result"))).build();
        assertThatThrownBy(() -> ProtobufDescriptorText.render(group)).isInstanceOf(RegistryError.class)
                .hasMessageContaining("proto2 group");
        assertThat(ProtobufDescriptorText.decode("syntax = \"proto3\"; message M {}")).as(".proto text").isNull();
        assertThat(ProtobufDescriptorText.decode("not base64 at all!")).isNull();
        assertThatThrownBy(() -> ProtobufDescriptors.descriptor("m.proto",
                "syntax = \"proto3\"; message M { Missing field = 1; }", name -> null))
                .isInstanceOf(RegistryError.class).hasMessageContaining("Missing");
    }
}
