#include "steer/dns/route53_xml.h"

#include <pugixml.hpp>
#include <sstream>

namespace steer::dns::route53 {
namespace {

std::string Serialize(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

pugi::xml_node NewDocument(pugi::xml_document& doc, const char* root) {
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node node = doc.append_child(root);
  node.append_attribute("xmlns") = kXmlns;
  return node;
}

void AddText(pugi::xml_node parent, const char* name, const std::string& text) {
  parent.append_child(name).text().set(text.c_str());
}

Result<pugi::xml_node> Load(pugi::xml_document& doc, std::string_view xml, const char* root) {
  pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string("route53: malformed XML: ") + parsed.description());
  }
  pugi::xml_node node = doc.child(root);
  if (!node) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string("route53: expected <") + root + "> document");
  }
  return node;
}

void AppendRRset(pugi::xml_node parent, const RRset& rrset) {
  pugi::xml_node set = parent.append_child("ResourceRecordSet");
  AddText(set, "Name", rrset.name);
  AddText(set, "Type", rrset.type);
  AddText(set, "TTL", std::to_string(rrset.ttl));
  pugi::xml_node records = set.append_child("ResourceRecords");
  for (const std::string& value : rrset.records) {
    AddText(records.append_child("ResourceRecord"), "Value", value);
  }
}

ListedRRset ReadRRset(pugi::xml_node set) {
  ListedRRset listed;
  listed.rrset.name = DecodeName(set.child_value("Name"));
  listed.rrset.type = set.child_value("Type");
  listed.rrset.ttl = set.child("TTL").text().as_int(0);
  for (pugi::xml_node rr : set.child("ResourceRecords").children("ResourceRecord")) {
    listed.rrset.records.emplace_back(rr.child_value("Value"));
  }
  listed.is_alias = static_cast<bool>(set.child("AliasTarget"));
  listed.set_identifier = set.child_value("SetIdentifier");
  return listed;
}

}  // namespace

std::string BuildChangeRequest(const std::vector<Change>& changes, std::string_view comment) {
  pugi::xml_document doc;
  pugi::xml_node root = NewDocument(doc, "ChangeResourceRecordSetsRequest");
  pugi::xml_node batch = root.append_child("ChangeBatch");
  if (!comment.empty()) AddText(batch, "Comment", std::string(comment));
  pugi::xml_node list = batch.append_child("Changes");
  for (const Change& change : changes) {
    pugi::xml_node node = list.append_child("Change");
    AddText(node, "Action", change.action);
    AppendRRset(node, change.rrset);
  }
  return Serialize(doc);
}

Result<std::vector<Change>> ParseChangeRequest(std::string_view xml) {
  pugi::xml_document doc;
  auto root = Load(doc, xml, "ChangeResourceRecordSetsRequest");
  if (!root) return tl::unexpected(root.error());
  std::vector<Change> changes;
  for (pugi::xml_node node : root->child("ChangeBatch").child("Changes").children("Change")) {
    ListedRRset listed = ReadRRset(node.child("ResourceRecordSet"));
    changes.push_back({node.child_value("Action"), listed.rrset});
  }
  return changes;
}

std::string BuildChangeInfoResponse(std::string_view root_name, const ChangeInfo& info,
                                    std::string_view submitted_at) {
  pugi::xml_document doc;
  pugi::xml_node root = NewDocument(doc, std::string(root_name).c_str());
  pugi::xml_node node = root.append_child("ChangeInfo");
  AddText(node, "Id", "/change/" + info.id);
  AddText(node, "Status", info.status);
  AddText(node, "SubmittedAt", std::string(submitted_at));
  return Serialize(doc);
}

Result<ChangeInfo> ParseChangeInfo(std::string_view xml) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
  pugi::xml_node node = doc.document_element().child("ChangeInfo");
  if (!parsed || !node) {
    return MakeError(ErrorCode::kInternal, "route53: response has no <ChangeInfo>");
  }
  ChangeInfo info;
  info.id = node.child_value("Id");
  if (info.id.rfind("/change/", 0) == 0) info.id = info.id.substr(8);
  info.status = node.child_value("Status");
  if (info.id.empty() || info.status.empty()) {
    return MakeError(ErrorCode::kInternal, "route53: <ChangeInfo> lacks Id or Status");
  }
  return info;
}

std::string BuildListResponse(const ListPage& page, int max_items) {
  pugi::xml_document doc;
  pugi::xml_node root = NewDocument(doc, "ListResourceRecordSetsResponse");
  pugi::xml_node sets = root.append_child("ResourceRecordSets");
  for (const ListedRRset& listed : page.rrsets) AppendRRset(sets, listed.rrset);
  AddText(root, "IsTruncated", page.is_truncated ? "true" : "false");
  if (page.is_truncated) {
    AddText(root, "NextRecordName", page.next_name);
    AddText(root, "NextRecordType", page.next_type);
  }
  AddText(root, "MaxItems", std::to_string(max_items));
  return Serialize(doc);
}

Result<ListPage> ParseListResponse(std::string_view xml) {
  pugi::xml_document doc;
  auto root = Load(doc, xml, "ListResourceRecordSetsResponse");
  if (!root) return tl::unexpected(root.error());
  ListPage page;
  for (pugi::xml_node set : root->child("ResourceRecordSets").children("ResourceRecordSet")) {
    page.rrsets.push_back(ReadRRset(set));
  }
  page.is_truncated = std::string(root->child_value("IsTruncated")) == "true";
  page.next_name = root->child_value("NextRecordName");
  page.next_type = root->child_value("NextRecordType");
  return page;
}

std::string BuildErrorResponse(const ErrorDoc& error) {
  pugi::xml_document doc;
  pugi::xml_node root = NewDocument(doc, "ErrorResponse");
  pugi::xml_node node = root.append_child("Error");
  AddText(node, "Type", "Sender");
  AddText(node, "Code", error.code);
  AddText(node, "Message", error.message);
  AddText(root, "RequestId", "00000000-0000-0000-0000-000000000000");
  return Serialize(doc);
}

std::string BuildInvalidChangeBatch(const std::vector<std::string>& messages) {
  pugi::xml_document doc;
  pugi::xml_node root = NewDocument(doc, "InvalidChangeBatch");
  pugi::xml_node list = root.append_child("Messages");
  for (const std::string& message : messages) AddText(list, "Message", message);
  AddText(root, "RequestId", "00000000-0000-0000-0000-000000000000");
  return Serialize(doc);
}

ErrorDoc ParseError(std::string_view xml) {
  pugi::xml_document doc;
  ErrorDoc error;
  if (!doc.load_buffer(xml.data(), xml.size())) return error;
  pugi::xml_node root = doc.document_element();
  if (std::string(root.name()) == "InvalidChangeBatch") {
    error.code = "InvalidChangeBatch";
    for (pugi::xml_node m : root.child("Messages").children("Message")) {
      if (!error.message.empty()) error.message += "; ";
      error.message += m.child_value();
    }
    return error;
  }
  error.code = root.child("Error").child_value("Code");
  error.message = root.child("Error").child_value("Message");
  return error;
}

std::string DecodeName(std::string_view name) {
  auto is_octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\' && i + 3 < name.size() && is_octal(name[i + 1]) && is_octal(name[i + 2]) &&
        is_octal(name[i + 3])) {
      out.push_back(static_cast<char>((name[i + 1] - '0') * 64 + (name[i + 2] - '0') * 8 +
                                      (name[i + 3] - '0')));
      i += 3;
      continue;
    }
    out.push_back(name[i]);
  }
  return out;
}

}  // namespace steer::dns::route53
