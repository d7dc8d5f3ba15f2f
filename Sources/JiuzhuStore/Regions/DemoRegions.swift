import Foundation
import FluentKit
import JiuzhuCore

/// The demo province: Anhui with 蚌埠, 淮南 and 铜陵, their real districts and
/// counties (including 铜陵's pre-2016 divisions, kept with their end dates),
/// and a few townships and villages each. Township and village names below
/// the real counties are partly invented; the codes are well formed.
public enum DemoRegions {
    struct Entry {
        let code: String
        let name: String
        var validFrom = "1990-01-01"
        var validTo: String? = nil
    }

    static let fixed: [Entry] = [
        Entry(code: "34", name: "安徽省"),
        Entry(code: "3403", name: "蚌埠市"),
        Entry(code: "340302", name: "龙子湖区"),
        Entry(code: "340303", name: "蚌山区"),
        Entry(code: "340304", name: "禹会区"),
        Entry(code: "340311", name: "淮上区"),
        Entry(code: "340321", name: "怀远县"),
        Entry(code: "340322", name: "五河县"),
        Entry(code: "340323", name: "固镇县"),
        Entry(code: "3404", name: "淮南市"),
        Entry(code: "340402", name: "大通区"),
        Entry(code: "340403", name: "田家庵区"),
        Entry(code: "340404", name: "谢家集区"),
        Entry(code: "340405", name: "八公山区"),
        Entry(code: "340406", name: "潘集区"),
        Entry(code: "340421", name: "凤台县"),
        Entry(code: "340422", name: "寿县", validFrom: "2016-01-01"),
        Entry(code: "3407", name: "铜陵市"),
        Entry(code: "340702", name: "铜官山区", validTo: "2015-10-12"),
        Entry(code: "340703", name: "狮子山区", validTo: "2015-10-12"),
        Entry(code: "340721", name: "铜陵县", validTo: "2015-10-12"),
        Entry(code: "340705", name: "铜官区", validFrom: "2015-10-13"),
        Entry(code: "340706", name: "义安区", validFrom: "2015-10-13"),
        Entry(code: "340711", name: "郊区"),
        Entry(code: "340722", name: "枞阳县", validFrom: "2015-10-13"),
    ]

    /// Townships per county: (3-digit suffix, name, [village names]).
    static let townships: [String: [(String, String, [String])]] = [
        "340302": [("001", "东风街道", ["东风社区", "胜利社区"]), ("002", "延安街道", ["延安社区", "工农社区"]), ("200", "李楼乡", ["李楼村", "周台村"])],
        "340303": [("001", "天桥街道", ["天桥社区", "朝阳社区"]), ("002", "青年街道", ["青年社区", "南山社区"])],
        "340304": [("001", "大庆街道", ["大庆社区", "纬四社区"]), ("100", "长青乡", ["长青村", "马拐村"])],
        "340311": [("100", "小蚌埠镇", ["小蚌埠村", "双墩村"]), ("101", "吴小街镇", ["吴小街村", "大圩村"])],
        "340321": [("100", "城关镇", ["东城社区", "西城村", "南关村"]), ("101", "荆山镇", ["荆山村", "涂山村"]), ("102", "龙亢镇", ["龙亢村", "河溜村"])],
        "340322": [("100", "城关镇", ["淮河社区", "沱湖村"]), ("101", "小溪镇", ["小溪村", "新集村"])],
        "340323": [("100", "谷阳镇", ["谷阳社区", "濠城村"]), ("101", "王庄镇", ["王庄村", "石湖村"])],
        "340402": [("001", "洞山街道", ["洞山社区", "淮舜社区"]), ("100", "上窑镇", ["上窑村", "外窑村"])],
        "340403": [("001", "田东街道", ["田东社区", "国庆社区"]), ("002", "舜耕街道", ["舜耕社区", "泉山社区"])],
        "340404": [("001", "谢家集街道", ["谢家集社区", "新民社区"]), ("100", "杨公镇", ["杨公村", "孤堆村"])],
        "340405": [("001", "新庄孜街道", ["新庄孜社区", "土坝孜社区"]), ("100", "八公山镇", ["八公山村", "妙山村"])],
        "340406": [("100", "潘集镇", ["潘集村", "田集村"]), ("101", "平圩镇", ["平圩村", "望峰岗村"])],
        "340421": [("100", "城关镇", ["凤凰社区", "新桥村"]), ("101", "毛集镇", ["毛集村", "夏集村"])],
        "340422": [("100", "寿春镇", ["寿春社区", "城南村"]), ("101", "正阳关镇", ["正阳村", "东津村"])],
        "340705": [("001", "幸福街道", ["幸福社区", "东湖社区"]), ("002", "新城街道", ["新城社区", "天井湖社区"])],
        "340706": [("100", "五松镇", ["五松社区", "新桥村"]), ("101", "顺安镇", ["顺安村", "金凤村"])],
        "340711": [("100", "大通镇", ["大通村", "和悦村"]), ("101", "陈瑶湖镇", ["陈瑶湖村", "永丰村"])],
        "340722": [("100", "枞阳镇", ["城关社区", "八宝村"]), ("101", "汤沟镇", ["汤沟村", "长沙村"])],
    ]

    /// Every demo region, parents first.
    public static func all() -> [(code: String, name: String, validFrom: String, validTo: String?)] {
        var rows = fixed.map { ($0.code, $0.name, $0.validFrom, $0.validTo) }
        for county in townships.keys.sorted() {
            for (suffix, name, villages) in townships[county] ?? [] {
                let township = county + suffix
                let validFrom = fixed.first { $0.code == county }?.validFrom ?? "1990-01-01"
                rows.append((township, name, validFrom, nil))
                // Communities are numbered from 001, villages from 201, as in the statistical codes.
                var community = 1, village = 201
                for villageName in villages {
                    let isCommunity = villageName.hasSuffix("社区")
                    let number = isCommunity ? community : village
                    if isCommunity { community += 1 } else { village += 1 }
                    rows.append((township + String(format: "%03d", number), villageName, validFrom, nil))
                }
            }
        }
        return rows.sorted { $0.0 < $1.0 }
    }

    /// Seeds the regions if the table is empty. Returns how many were written.
    @discardableResult
    public static func seed(on db: any Database) async throws -> Int {
        guard try await RegionRecord.query(on: db).count() == 0 else { return 0 }
        let rows = all()
        try await db.transaction { tx in
            for row in rows {
                let record = RegionRecord()
                record.id = row.code
                record.name = row.name
                record.level = (try? RegionCode(row.code).level.rawValue) ?? 0
                record.parentCode = try? RegionCode(row.code).parent?.value
                record.validFrom = row.validFrom
                record.validTo = row.validTo
                try await record.create(on: tx)
            }
        }
        return rows.count
    }
}
