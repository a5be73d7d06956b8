print("teamsview")
