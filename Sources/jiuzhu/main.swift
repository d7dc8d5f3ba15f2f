import Foundation
import JiuzhuWeb

exit(await Launcher.main(arguments: CommandLine.arguments))
